import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// Who the agent answers, how, and what it remembers.
@Suite("Conversation", .timeLimit(.minutes(3)))
struct ConversationTests {
    @Test("a user not on the allowlist is rejected: no model call, no answer, both ids recorded")
    func unauthorizedUser() async throws {
        let harness = try AgentHarness()
        let worker = try harness.startWorker()
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: 555, userID: 555, text: "let me in")
        #expect(await harness.wait { !harness.events("telegram.unauthorized").isEmpty })
        let event = try #require(harness.events("telegram.unauthorized").first?.payloadObject)
        #expect(event["user_id"] == 555)
        #expect(event["chat_id"] == 555)
        #expect((try harness.database()?.query("SELECT status FROM inbox").first?[0].string) == "rejected")
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.openAI.requests.isEmpty)
        #expect(harness.telegram.sentMessages().isEmpty)
        let found = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-log"), arguments: ["tail", "--kind", "telegram.unauthorized", "--json"],
                environment: harness.environment()))
        #expect(found.standardOutput.contains("\"user_id\":555"))
    }

    @Test("commands are answered without the model; /new starts a fresh conversation")
    func commands() async throws {
        let harness = try AgentHarness()
        let worker = try harness.startWorker()
        defer { worker.signal(SIGKILL) }
        let chat = harness.userID
        func say(_ text: String, expecting total: Int) async -> SentMessage? {
            harness.telegram.sendUserMessage(chatID: chat, userID: chat, text: text)
            return await harness.telegram.waitForSentMessages(count: total, chatID: chat, timeout: .seconds(20)).last
        }
        #expect(await say("/start", expecting: 1)?.text.contains("/help") == true)
        #expect(await say("/help", expecting: 2)?.text.contains("/usage") == true)
        #expect(harness.openAI.requests.isEmpty)
        #expect(await say("remember the word apricot", expecting: 3)?.text.contains("apricot") == true)
        #expect(await say("and now?", expecting: 4) != nil)
        let secondCall = try #require(harness.openAI.requests.last)
        #expect(secondCall.messages.count == 4)  // system, the first question, its answer, the new one
        let status = await say("/status", expecting: 5)
        #expect(status?.text.contains("uptime") == true)
        #expect(status?.text.contains("tools:") == true)
        let tools = status?.text.split(separator: "\n").first { $0.hasPrefix("tools:") } ?? ""
        // Which limits of bash hold here: both are named whenever commands run sandboxed (docs/tools.md).
        #expect(!tools.contains("sandboxed (") || tools.contains("max_file_mb 1024: enforced (RLIMIT_FSIZE); max_procs 256: "), "\(tools)")
        #expect(status?.text.contains("2 calls") == true)
        #expect(await say("/usage", expecting: 6)?.text.contains("today: 2 calls") == true)
        #expect(await say("/new", expecting: 7)?.text.contains("new conversation") == true)
        _ = await say("fresh start", expecting: 8)
        #expect(harness.openAI.requests.last?.messages.count == 2)  // system and the new message only
        #expect(await say("/stop", expecting: 9)?.text == "Nothing is running in this chat.")
        #expect(harness.openAI.requests.count == 3)
        #expect(harness.telegram.commands.map(\.command).contains("status"))
    }

    @Test("/stop ends the run in progress and says so")
    func stopARun() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.delayed(.seconds(30), .text("too late")))
        let worker = try harness.startWorker()
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "long task")
        #expect(await harness.openAI.waitForRequests(count: 1, timeout: .seconds(20)).count == 1)
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "/stop")
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(10))
        #expect(sent.first?.text == "Stopped.")
        #expect(harness.events("agent.failed").first?.payloadObject?["reason"] == "aborted")
        // Longer than the chat's send pacing (AGENT_SEND_PER_CHAT_PER_S, 1 a second), so a second reply would show.
        try await Task.sleep(for: .milliseconds(2500))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).map(\.text) == ["Stopped."])
        let rows = try harness.database()?.query("SELECT count(*) FROM outbox").first?[0].int64
        #expect(rows == 1, "one reply queued for the run and its /stop")
    }

    @Test("in a group the agent answers only when mentioned or replied to")
    func groups() async throws {
        let harness = try AgentHarness()
        let worker = try harness.startWorker()
        defer { worker.signal(SIGKILL) }
        let group: Int64 = -100_123
        harness.telegram.sendUserMessage(chatID: group, userID: harness.userID, text: "just chatting with friends")
        harness.telegram.sendUserMessage(chatID: group, userID: harness.userID, text: "@agent_test_bot what time is it")
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: group, timeout: .seconds(20))
        #expect(sent.first?.text.contains("what time is it") == true)
        #expect(sent.first?.text.contains("@agent_test_bot") == false)
        let botMessage = try #require(sent.first)
        harness.telegram.sendUserMessage(chatID: group, userID: harness.userID, text: "thanks!", replyToMessageID: botMessage.messageID)
        let both = await harness.telegram.waitForSentMessages(count: 2, chatID: group, timeout: .seconds(20))
        #expect(both.last?.text.contains("thanks!") == true)
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.openAI.requests.count == 2)
        let statuses = try harness.database()?.query("SELECT status, error FROM inbox ORDER BY update_id").map {
            $0[1].string ?? $0[0].string ?? ""
        }
        #expect(statuses?.first == "not addressed to the bot")
    }

    @Test("a long answer is split at paragraph, line and word boundaries, in order, each part within 4096 UTF-16 units")
    func longAnswerIsSplit() async throws {
        let paragraph = String(repeating: "word ", count: 500).trimmingCharacters(in: .whitespaces)  // 2,499 characters
        let long = [paragraph, paragraph, paragraph, "🙂" + String(repeating: "x", count: 5000)].joined(separator: "\n\n")
        // Slower than AGENT_TYPING_DELAY_MS, so that "typing..." is shown before the answer.
        let harness = try AgentHarness(openAIDefault: { _ in .delayed(.milliseconds(600), .text(long)) })
        let worker = try harness.startWorker(["AGENT_SEND_PER_CHAT_PER_S": "50", "AGENT_TYPING_DELAY_MS": "300"])
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "tell me a lot")
        #expect(await harness.wait { harness.events("reply.sent").count == 5 })
        let parts = harness.telegram.sentMessages(chatID: harness.userID).map(\.text)
        #expect(parts.count == 5)
        #expect(parts.allSatisfy { $0.utf16.count <= 4096 && !$0.isEmpty })
        #expect(parts[0] == paragraph)
        #expect(parts.joined().filter { !$0.isWhitespace } == long.filter { !$0.isWhitespace })
        let partNumbers = harness.events("reply.sent").compactMap { $0.payloadObject?["part"]?.int64Value }
        #expect(partNumbers == [1, 2, 3, 4, 5])
        #expect(harness.telegram.chatActions.contains { $0.chatID == harness.userID && $0.action == "typing" })
    }
}
