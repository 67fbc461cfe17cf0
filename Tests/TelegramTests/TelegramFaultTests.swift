import Foundation
import HTTPSupport
import Telegram
import TestSupport
import Testing

/// Each scripted fault of the double, met by the client call it is meant for: the error is classified, carries
/// Telegram's fields, and none of its renderings holds the token.
@Suite(.timeLimit(.minutes(2))) struct TelegramFaultTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let fault: TelegramFault
        let method: String
        let code: TelegramError.Code
        let check: @Sendable (TelegramError) -> Bool
        var testDescription: String { "\(method): \(fault)" }
    }

    static let cases: [Case] = [
        Case(fault: .tooManyRequests(retryAfter: 7), method: "sendMessage", code: .tooManyRequests) {
            $0.retryAfter == 7 && $0.errorCode == 429 && $0.isTransient
        },
        Case(fault: .cantParseEntities, method: "sendMessage", code: .badRequest) { $0.isCantParseEntities && !$0.isTransient },
        Case(fault: .messageNotModified, method: "editMessageText", code: .badRequest) { $0.isMessageNotModified },
        Case(fault: .blockedByUser, method: "sendMessage", code: .forbidden) { $0.isBlockedByUser && $0.errorCode == 403 },
        Case(fault: .chatNotFound, method: "sendChatAction", code: .badRequest) { $0.apiDescription == "Bad Request: chat not found" },
        Case(fault: .migrated(toChatID: -100_777), method: "sendMessage", code: .badRequest) { $0.migrateToChatID == -100_777 },
        Case(fault: .conflict, method: "getUpdates", code: .conflict) { $0.errorCode == 409 },
        Case(fault: .serverError(status: 500), method: "getMe", code: .serverError) { $0.httpStatus == 500 && $0.isTransient },
        Case(fault: .badGateway, method: "getUpdates", code: .serverError) { $0.httpStatus == 502 && $0.errorCode == nil },
        Case(fault: .malformedBody, method: "sendMessage", code: .malformedResponse) { $0.httpStatus == 200 },
        Case(fault: .malformedBody, method: "getUpdates", code: .malformedResponse) { $0.httpStatus == 200 },
        Case(fault: .dropConnection, method: "answerCallbackQuery", code: .transport) { $0.transportCode != nil },
        Case(fault: .slow(.seconds(3)), method: "sendMessage", code: .timeout) { _ in true },
        Case(
            fault: .error(status: 401, description: "Unauthorized", retryAfter: nil, migrateToChatID: nil), method: "getMe",
            code: .unauthorized
        ) {
            $0.apiDescription == "Unauthorized"
        },
    ]

    @Test(arguments: cases)
    func faultIsClassified(_ testCase: Case) async throws {
        let harness = try TelegramHarness(requestTimeout: .milliseconds(400), longPollGrace: .milliseconds(400))
        defer { harness.double.stop() }
        let sent = try await harness.client.sendMessage(chatID: 9, text: "before")
        let query = harness.double.pressButton(chatID: 9, userID: 9, messageID: sent.messageID, data: "x")
        harness.double.script(testCase.fault, for: testCase.method)
        // A drop is met on a new connection (see aDropOnAReusedConnectionEndsByTheDeadline for a reused one).
        let client = testCase.fault == .dropConnection ? harness.secondClient() : harness.client
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(
            await harness.error { () async throws(TelegramError) in
                try await Self.call(testCase.method, client, messageID: sent.messageID, queryID: query)
            })
        #expect(error.code == testCase.code)
        #expect(error.method == testCase.method)
        #expect(testCase.check(error), "\(error)")
        #expect(clock.now - start < .seconds(2))
        #expect(SecretLeakCheck.leaks(of: TelegramHarness.token, in: error).isEmpty)
        #expect(SecretLeakCheck.leaks(of: "secret-token", in: error).isEmpty)
        #expect(!error.message.contains("127.0.0.1"))
        #expect(harness.double.violations.isEmpty)

        // The fault was for one call only: the next one works.
        _ = try await Self.call(testCase.method, harness.client, messageID: sent.messageID, queryID: query, fresh: true)
    }

    /// libcurl sends a request once more, on a new connection, when a reused connection closes without a byte of
    /// answer (the server may have closed it idle just before): the call succeeds within its deadline, and the
    /// server saw the request twice (docs/worker.md names this duplicate window). A second drop is an error.
    @Test func aDropOnAReusedConnectionIsSentOnceMore() async throws {
        let harness = try TelegramHarness(requestTimeout: .milliseconds(500))
        defer { harness.double.stop() }
        _ = try await harness.client.getMe()
        harness.double.script(.dropConnection, for: "sendMessage")
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await harness.client.sendMessage(chatID: 1, text: "sent again")
        #expect(clock.now - start < .milliseconds(1500))
        #expect(harness.double.requests(for: "sendMessage").count == 2)
        #expect(harness.double.sentMessages().map(\.text) == ["sent again"])
        harness.double.script(.dropConnection, for: "sendMessage")
        harness.double.script(.dropConnection, for: "sendMessage")
        let error = try #require(
            await harness.error { () async throws(TelegramError) in try await harness.client.sendMessage(chatID: 1, text: "lost") })
        #expect(error.code == .transport)
        #expect(error.isTransient)
    }

    @Test func aSlowAnswerWithinTheDeadlineSucceeds() async throws {
        let harness = try TelegramHarness(requestTimeout: .seconds(2))
        defer { harness.double.stop() }
        harness.double.script(.slow(.milliseconds(300)), for: "getMe")
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await harness.client.getMe()
        #expect(clock.now - start >= .milliseconds(300))
    }

    @Test func faultsComeInOrderAndOnlyForTheirMethod() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        harness.double.script(.tooManyRequests(retryAfter: 1), for: "sendMessage", times: 2)
        _ = try await harness.client.getMe()
        for _ in 0..<2 {
            let error = await harness.error { () async throws(TelegramError) in try await harness.client.sendMessage(chatID: 1, text: "x") }
            #expect(error?.code == .tooManyRequests)
        }
        _ = try await harness.client.sendMessage(chatID: 1, text: "x")
        #expect(harness.double.requests(for: "sendMessage").map(\.status) == [429, 429, 200])
        #expect(harness.double.sentMessages(chatID: 1).count == 1)
    }

    /// Calls `method` with valid parameters; `fresh` picks values the first call did not use up.
    static func call(_ method: String, _ client: TelegramClient, messageID: Int, queryID: String, fresh: Bool = false)
        async throws(TelegramError)
    {
        switch method {
        case "getMe": _ = try await client.getMe()
        case "getUpdates": _ = try await client.getUpdates(offset: nil, limit: nil, timeout: 0, allowedUpdates: ["message"])
        case "sendMessage": _ = try await client.sendMessage(chatID: 9, text: "hello")
        case "editMessageText":
            _ = try await client.editMessageText(
                chatID: 9, messageID: messageID, text: fresh ? "edited again" : "edited", parseMode: nil, replyMarkup: nil)
        case "sendChatAction": try await client.sendChatAction(chatID: 9, action: .typing)
        case "answerCallbackQuery": try await client.answerCallbackQuery(id: queryID, text: "ok", showAlert: false)
        default: Issue.record("no call for \(method)")
        }
    }
}
