import Events
import Foundation
import ProcessControl
import Telegram
import TestSupport
import Testing

/// Telegram and the model misbehaving: the worker keeps running, and the user gets the reply or one clear error.
@Suite("Fault tolerance", .timeLimit(.minutes(3)))
struct FaultToleranceTests {
    /// Starts a worker, sends one message and returns the replies to it.
    func ask(
        _ harness: AgentHarness, _ text: String, environment: [String: String] = [:], expect count: Int = 1,
        timeout: Duration = .seconds(30)
    ) async throws -> [SentMessage] {
        let worker = try harness.startWorker(environment)
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: text)
        let sent = await harness.telegram.waitForSentMessages(count: count, chatID: harness.userID, timeout: timeout)
        #expect(worker.terminationStatus == nil, "the worker exited; logs:\n\(harness.allLogs())")
        try await Task.sleep(for: .milliseconds(300))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).count == count, "duplicate or missing replies")
        #expect(harness.telegram.violations.isEmpty, "\(harness.telegram.violations)")
        return sent
    }

    @Test("409 and a malformed body from getUpdates are waited out")
    func pollConflictAndMalformed() async throws {
        let harness = try AgentHarness()
        harness.telegram.script(.conflict, for: "getUpdates")
        harness.telegram.script(.malformedBody, for: "getUpdates")
        let sent = try await ask(harness, "after a conflict")
        #expect(sent.first?.text.contains("after a conflict") == true)
        let errors = harness.events("telegram.error").compactMap { $0.payloadObject }
        #expect(errors.contains { $0["status"] == 409 && $0["method"] == "getUpdates" })
        #expect(errors.contains { $0["code"] == "malformedResponse" })
    }

    @Test("5xx, a proxy's HTML page and a dropped connection from getUpdates are waited out")
    func pollServerErrors() async throws {
        let harness = try AgentHarness()
        harness.telegram.script(.serverError(status: 500), for: "getUpdates")
        // Two drops: libcurl sends a request once more when a reused connection is dropped without an answer.
        harness.telegram.script(.dropConnection, for: "getUpdates")
        harness.telegram.script(.dropConnection, for: "getUpdates")
        let sent = try await ask(harness, "after a 500")
        #expect(sent.first?.text.contains("after a 500") == true)
        #expect(harness.events("telegram.error").count >= 2)
    }

    @Test("a second poller makes Telegram answer 409; the worker backs off and goes on")
    func secondPoller() async throws {
        let harness = try AgentHarness()
        let worker = try harness.startWorker()
        defer { worker.signal(SIGKILL) }
        #expect(await harness.wait { harness.telegram.isPollHeld })
        let intruder = TelegramClient(
            configuration: TelegramConfiguration(token: AgentHarness.token, apiBase: URL(string: harness.telegram.apiBase)!))
        _ = try? await intruder.getUpdates(offset: nil, limit: nil, timeout: 0, allowedUpdates: nil)
        #expect(await harness.wait { harness.events("telegram.error").contains { $0.payloadObject?["status"] == 409 } })
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "still there?")
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(20))
        #expect(sent.count == 1)
        #expect(worker.terminationStatus == nil)
    }

    @Test("429 on sendMessage waits retry_after, then sends exactly once")
    func sendRateLimited() async throws {
        let harness = try AgentHarness()
        harness.telegram.script(.tooManyRequests(retryAfter: 1), for: "sendMessage")
        let started = ContinuousClock.now
        let sent = try await ask(harness, "rate limited")
        #expect(sent.count == 1)
        #expect(ContinuousClock.now - started >= .seconds(1))
        #expect(harness.events("telegram.error").contains { $0.payloadObject?["retry_after"] == 1 })
        #expect(harness.events("reply.sent").count == 1)
    }

    @Test("5xx and dropped connections on sendMessage are retried: one message arrives")
    func sendServerErrors() async throws {
        let harness = try AgentHarness()
        harness.telegram.script(.serverError(status: 502), for: "sendMessage")
        // Two drops: libcurl sends a request once more when a reused connection is dropped without an answer.
        harness.telegram.script(.dropConnection, for: "sendMessage")
        harness.telegram.script(.dropConnection, for: "sendMessage")
        let sent = try await ask(harness, "flaky send")
        #expect(sent.count == 1)
        let errors = harness.events("telegram.error").compactMap(\.payloadObject)
        #expect(errors.contains { $0["status"] == 502 && $0["delivery_unknown"] == nil }, "Telegram's own 502 sent nothing")
        let row = try harness.database()?.query("SELECT status, attempts FROM outbox").first
        #expect(row?[0].string == "sent")
        #expect(row?[1].int64 == 3)
    }

    /// The second duplicate window (docs/worker.md): Telegram sent the message but its answer was lost, so the
    /// worker cannot tell it from a message never sent; it sends again (nothing lost), and the user sees it twice.
    /// A late or unreadable answer is recorded as `delivery_unknown`; a dropped one too unless the connection was
    /// a reused one, which libcurl itself sends again on (unrecorded: the call then succeeds).
    @Test(
        "an answer lost after Telegram sent the message: sent again, seen twice, recorded as delivery_unknown",
        arguments: [TelegramFault.AnswerLoss.late(.seconds(4)), .malformed, .dropped])
    func lostAnswerOnSend(_ loss: TelegramFault.AnswerLoss) async throws {
        let harness = try AgentHarness()
        harness.telegram.script(.answerLost(loss), for: "sendMessage")
        let sent = try await ask(harness, "answer lost", expect: 2)
        #expect(sent.map(\.text).allSatisfy { $0.contains("answer lost") } && Set(sent.map(\.text)).count == 1)
        let row = try harness.database()?.query("SELECT status FROM outbox").first
        #expect(row?[0].string == "sent")
        #expect(harness.events("reply.sent").count == 1)
        let errors = harness.events("telegram.error").compactMap(\.payloadObject).filter { $0["method"] == "sendMessage" }
        #expect(errors.allSatisfy { $0["delivery_unknown"] == true && $0["outbox_id"] != nil }, "\(errors)")
        if loss != .dropped { #expect(errors.count == 1, "\(errors)") }
    }

    @Test("HTML Telegram cannot parse is sent again as plain text")
    func htmlFallback() async throws {
        let harness = try AgentHarness()
        harness.telegram.script(.cantParseEntities, for: "sendMessage")
        let sent = try await ask(harness, "<b>unclosed")
        #expect(sent.count == 1)
        #expect(sent.first?.parseMode == nil)
        let attempts = harness.telegram.requests(for: "sendMessage").map { $0.parameters["parse_mode"]?.stringValue }
        #expect(attempts == ["HTML", nil])
    }

    @Test("a user who blocked the bot: the message is marked failed, nothing is retried forever")
    func blockedByUser() async throws {
        let harness = try AgentHarness()
        harness.telegram.script(.blockedByUser, for: "sendMessage")
        let worker = try harness.startWorker()
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "bye")
        #expect(await harness.wait { (try? harness.database()?.query("SELECT status FROM outbox").first?[0].string) == "failed" })
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.telegram.requests(for: "sendMessage").count == 1)
        #expect(worker.terminationStatus == nil)
    }

    @Test("model 500s are retried and the user gets the answer")
    func modelServerErrors() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.serverError, .overloaded)
        let sent = try await ask(
            harness, "after two 500s", environment: ["AGENT_MODEL_RETRY_BASE_MS": "10", "AGENT_MODEL_RETRY_CAP_MS": "50"])
        #expect(sent.first?.text.contains("after two 500s") == true)
        #expect(harness.openAI.requests.count == 3)
        #expect(harness.events("retry.scheduled").count == 2)
        #expect(harness.events("agent.completed").count == 1)
    }

    @Test("model timeouts past every retry: the user gets one clear error")
    func modelTimeouts() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.delayed(.seconds(4), .text("late")), .delayed(.seconds(4), .text("late")))
        let sent = try await ask(
            harness, "will time out",
            environment: [
                "AGENT_MODEL_TIMEOUT_S": "1", "AGENT_MODEL_MAX_RETRIES": "1", "AGENT_MODEL_RETRY_BASE_MS": "10",
                "AGENT_MODEL_RETRY_CAP_MS": "50",
            ])
        #expect(sent.first?.text.contains("not answering") == true)
        #expect(harness.events("retry.exhausted").count == 1)
        #expect(harness.events("agent.failed").first?.payloadObject?["reason"] == "model_unavailable")
    }

    @Test("a refused API key is not retried; the user is told what to fix")
    func modelAuthentication() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.invalidAPIKey)
        let sent = try await ask(harness, "wrong key")
        #expect(sent.first?.text.contains("OPENAI_API_KEY") == true)
        #expect(harness.openAI.requests.count == 1)
        #expect(!harness.everythingWritten().contains(AgentHarness.apiKey))
    }
}

@Suite("Limits", .timeLimit(.minutes(3)))
struct LimitTests {
    @Test("a run past AGENT_MAX_WALL_S is stopped and the user told why")
    func wallLimit() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.delayed(.seconds(5), .text("too late")))
        let worker = try harness.startWorker(["AGENT_MAX_WALL_S": "1"])
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "slow")
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(10))
        #expect(sent.first?.text.contains("AGENT_MAX_WALL_S") == true)
        #expect(harness.events("control.limit_reached").first?.payloadObject?["limit"] == "max_wall_s")
        #expect(harness.events("agent.failed").first?.payloadObject?["reason"] == "limit_reached")
    }

    @Test("once today's spending reaches AGENT_DAILY_COST_USD, runs are refused without a model call")
    func dailyBudget() async throws {
        let harness = try AgentHarness()
        let worker = try harness.startWorker(["AGENT_DAILY_COST_USD": "0.0000001"])
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "first")
        #expect(await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(10)).count == 1)
        let firstCost = harness.events("model.completed").first?.payloadObject?["cost_usd"]?.doubleValue ?? 0
        #expect(firstCost > 0)
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "second")
        let sent = await harness.telegram.waitForSentMessages(count: 2, chatID: harness.userID, timeout: .seconds(10))
        #expect(sent.last?.text.contains("budget") == true)
        #expect(harness.openAI.requests.count == 1)
        #expect(harness.events("control.limit_reached").first?.payloadObject?["limit"] == "daily_cost_usd")
    }

    @Test("malformed limits and log levels stop the worker at start, one line naming the variable")
    func malformedSettings() async throws {
        let harness = try AgentHarness()
        for (variable, value) in [
            ("AGENT_MAX_STEPS", "abc"), ("AGENT_MAX_COST_USD", "lots"), ("AGENT_LOG_LEVEL", "loud"), ("AGENT_WATCHDOG_S", "-1"),
        ] {
            let result = try await ProcessRunner.run(
                ProcessSpec(executable: Executables.path("agent-worker"), environment: harness.environment([variable: value])))
            #expect(result.status == .exited(2), "\(variable)")
            #expect(result.standardError.hasPrefix("agent-worker: \(variable): "), "\(result.standardError)")
            #expect(result.standardError.split(separator: "\n").count == 1)
        }
    }
}
