import Foundation
import HTTPSupport
import Telegram
import TestSupport
import Testing

/// The second duplicate window (docs/worker.md, "Nothing lost, nothing doubled"): which failed calls may hide one
/// that Telegram carried out, and libcurl's own resend.
@Suite(.timeLimit(.minutes(2))) struct LostAnswerTests {
    static let faults: [(TelegramFault, Bool)] = [
        // Telegram's own error answers: nothing was carried out.
        (.tooManyRequests(retryAfter: 1), false), (.serverError(status: 500), false), (.conflict, false), (.cantParseEntities, false),
        // No answer, a late one, or one that is not a Bot API answer: the client cannot tell whether the call ran.
        (.badGateway, true), (.malformedBody, true), (.dropConnection, true), (.slow(.seconds(2)), true),
        (.answerLost(.dropped), true), (.answerLost(.late(.seconds(2))), true), (.answerLost(.malformed), true),
    ]

    @Test(arguments: faults)
    func aFailedSendSaysWhetherItMayHaveBeenCarriedOut(_ fault: TelegramFault, _ mayHave: Bool) async throws {
        let harness = try TelegramHarness(requestTimeout: .milliseconds(500))
        defer { harness.double.stop() }
        harness.double.script(fault, for: "sendMessage")
        // A connection of its own: on a reused one libcurl would send a dropped request once more by itself.
        let client = harness.secondClient()
        let error = try #require(
            await harness.error { () async throws(TelegramError) in try await client.sendMessage(chatID: 9, text: "hello") })
        #expect(error.mayHaveBeenCarriedOut == mayHave, "\(error)")
        if case .answerLost = fault {
            #expect(harness.double.sentMessages(chatID: 9).map(\.text) == ["hello"], "carried out, though the client got no answer")
        }
    }

    @Test func noConnectionMeansNothingWasCarriedOut() async throws {
        let closed = TelegramClient(
            configuration: TelegramConfiguration(
                token: TelegramHarness.token, apiBase: URL(string: "http://127.0.0.1:1")!, requestTimeout: .seconds(2)),
            transport: HTTPTransport())
        let error = try #require(
            await TelegramHarness.error { () async throws(TelegramError) in try await closed.sendMessage(chatID: 9, text: "x") })
        #expect(error.code == .transport)
        #expect(!error.mayHaveBeenCarriedOut, "\(error)")
    }

    /// When Telegram carried out a call on a reused connection and the connection then died without a byte of
    /// answer, libcurl sends the request again on a new connection by itself: the call succeeds, and the message
    /// is sent twice, with nothing for the caller to record.
    @Test func libcurlsResendAfterALostAnswerSendsTwice() async throws {
        let harness = try TelegramHarness(requestTimeout: .seconds(2))
        defer { harness.double.stop() }
        let client = harness.secondClient()
        _ = try await client.getMe()
        harness.double.script(.answerLost(.dropped), for: "sendMessage")
        _ = try await client.sendMessage(chatID: 9, text: "once")
        #expect(harness.double.requests(for: "sendMessage").count == 2)
        #expect(harness.double.sentMessages(chatID: 9).map(\.text) == ["once", "once"])
    }
}
