import Events
import Foundation
import ProcessControl
import TestSupport
import Testing
import WorkerRuntime

/// Answers streamed into Telegram drafts (issue 11): the real worker against the doubles, the OpenAI double
/// streaming at a scripted pace, the Telegram double recording every draft.
@Suite("Streaming replies", .timeLimit(.minutes(3)))
struct StreamingRepliesTests {
    static func words(_ count: Int, from first: Int = 1) -> String {
        (first..<(first + count)).map { "w\($0)" }.joined(separator: " ")
    }

    /// Sends `text` to a fresh worker and waits for `count` replies.
    func ask(
        _ harness: AgentHarness, _ text: String, chatID: Int64? = nil, environment: [String: String] = [:], expect count: Int = 1,
        timeout: Duration = .seconds(30)
    ) async throws -> (ChildProcess, [SentMessage]) {
        let worker = try harness.startWorker(environment)
        let chat = chatID ?? harness.userID
        harness.telegram.sendUserMessage(chatID: chat, userID: harness.userID, text: text)
        let sent = await harness.telegram.waitForSentMessages(count: count, chatID: chat, timeout: timeout)
        try #require(sent.count >= count, "no reply; logs:\n\(harness.allLogs())")
        return (worker, sent)
    }

    /// The drafts all arrived before the chat's first `sendMessage`.
    func noDraftAfterTheReply(_ harness: AgentHarness, chatID: Int64) throws {
        let replyAt = try #require(
            harness.telegram.requests(for: "sendMessage").first { $0.parameters["chat_id"] == .int(chatID) }?.receivedAt)
        let late = harness.telegram.drafts(chatID: chatID).filter { $0.receivedAt >= replyAt }
        #expect(late.isEmpty, "drafts after the final message: \(late.map(\.text))")
    }

    @Test(
        "200 tokens at 50 tokens/s: drafts arrive while it streams, only grow, at most 4 a second; the reply and the stored message are the whole text"
    )
    func streamedAnswer() async throws {
        let harness = try AgentHarness()
        let answer = Self.words(200)
        harness.openAI.enqueue(.streamed(.text(answer), OpenAIStream(tokensPerSecond: 50)))
        let (worker, sent) = try await ask(harness, "count to 200")
        defer { worker.signal(SIGKILL) }
        #expect(sent.count == 1)
        #expect(sent.first?.text == answer)
        let stored = try harness.database()?.query("SELECT content FROM messages WHERE role = 'assistant'").map { $0[0].string }
        #expect(stored == [answer])

        let drafts = harness.telegram.drafts(chatID: harness.userID)
        let record = try #require(harness.openAI.requests.first)
        #expect(record.body["stream"] == true)
        let firstToken = try #require(record.firstTokenSentAt)
        // 200 tokens at 50/s stream for 4 s: drafts all along, not at the end.
        #expect(drafts.count >= 8, "\(drafts.count) drafts")
        let firstDraft = try #require(drafts.first)
        #expect(firstDraft.receivedAt.timeIntervalSince(firstToken) < 1.0, "the first draft came late")
        #expect(drafts.contains { $0.receivedAt.timeIntervalSince(firstToken) > 3.0 }, "no draft near the end of the stream")
        for (earlier, later) in zip(drafts, drafts.dropFirst()) {
            #expect(later.text.hasPrefix(earlier.text) && later.text.count > earlier.text.count, "a draft did not grow")
            #expect(later.receivedAt.timeIntervalSince(earlier.receivedAt) >= 0.245, "two drafts closer than 250 ms")
        }
        for start in drafts {
            let window = drafts.filter { $0.receivedAt >= start.receivedAt && $0.receivedAt.timeIntervalSince(start.receivedAt) < 1 }
            #expect(window.count <= 4, "\(window.count) drafts in one second")
        }
        #expect(Set(drafts.map(\.draftID)).count == 1, "one draft_id per reply")
        try noDraftAfterTheReply(harness, chatID: harness.userID)

        let completed = try #require(harness.events("model.completed").first?.payloadObject)
        #expect(completed["streamed"] == true)
        #expect((completed["first_token_ms"]?.int64Value ?? -1) >= 0)
        let drafted = harness.events("reply.drafted")
        #expect(drafted.count == 1)
        #expect(drafted.first?.payloadObject?["drafts"] == .int(Int64(drafts.count)))
        #expect((drafted.first?.payloadObject?["first_draft_ms"]?.int64Value ?? -1) >= 0)
        #expect(harness.telegram.violations.isEmpty, "\(harness.telegram.violations)")
        #expect(harness.openAI.violations.isEmpty, "\(harness.openAI.violations)")
    }

    @Test("the end of the answer does not wait for the pace of drafts: with a 3 s interval the reply comes at once")
    func finalReplyDoesNotWaitForTheDraftPace() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.streamed(.text(Self.words(6)), OpenAIStream(tokensPerSecond: 10)))
        let (worker, sent) = try await ask(harness, "six words", environment: ["AGENT_DRAFT_INTERVAL_MS": "3000"])
        defer { worker.signal(SIGKILL) }
        #expect(sent.first?.text == Self.words(6))
        let firstDraft = try #require(harness.telegram.drafts(chatID: harness.userID).first, "a draft while it streamed")
        let replyAt = try #require(harness.telegram.requests(for: "sendMessage").first?.receivedAt)
        // The stream lasts about 0.6 s after the first token; the next draft would be allowed 3 s after the first.
        #expect(replyAt.timeIntervalSince(firstDraft.receivedAt) < 2.0, "the reply waited for the draft interval")
        try noDraftAfterTheReply(harness, chatID: harness.userID)
    }

    @Test(
        "a streamed turn with two tool calls whose arguments arrive in many fragments runs them with the exact arguments; the draft shows what runs"
    )
    func fragmentedToolCalls() async throws {
        let harness = try AgentHarness()
        try "# Hello\nTODO: stream\n".write(toFile: harness.workspace + "/README.md", atomically: true, encoding: .utf8)
        let grep = #"{"pattern":"TODO","path":"README.md"}"#
        let read = #"{"path":"README.md","offset":1}"#
        harness.openAI.enqueue(
            .streamed(
                .toolCalls([
                    OpenAIToolCall(id: "call_grep", name: "grep", arguments: grep),
                    OpenAIToolCall(id: "call_read", name: "read", arguments: read),
                ]),
                OpenAIStream(tokensPerSecond: 100, argumentPieceSize: 2)),
            .streamed(.text("The README has one TODO."), OpenAIStream(tokensPerSecond: 20, firstTokenDelay: .milliseconds(600))))
        let (worker, sent) = try await ask(harness, "any TODO?")
        defer { worker.signal(SIGKILL) }
        #expect(sent.first?.text == "The README has one TODO.")
        let started = harness.events("tool_call.started").compactMap { $0.payloadObject }
        #expect(started.map { $0["tool"] } == ["grep", "read"])
        #expect(started.map { $0["args"] } == [try JSONValue(parsing: grep), try JSONValue(parsing: read)])
        #expect(harness.events("tool_call.completed").count == 2)
        let second = try #require(harness.openAI.requests.dropFirst().first)
        let results = second.messages.filter { $0["role"] == "tool" }
        #expect(results.map { $0["tool_call_id"] } == ["call_grep", "call_read"])
        let drafts = harness.telegram.drafts(chatID: harness.userID).map(\.text)
        #expect(drafts.contains("🔧 grep TODO in README.md, read README.md…"), "\(drafts)")
        let last = try #require(drafts.last)
        #expect("The README has one TODO.".hasPrefix(last), "the last turn's text replaced the status line: \(drafts)")
        #expect(harness.events("reply.drafted").count == 2)
        // The streamed tree: each turn's reply.drafted right after its model.completed.
        let run = try #require(harness.events("agent.started").first)
        let inRun = harness.events("*").filter { $0.runID == run.id }
        func children(of parent: Event) -> [String] { inRun.filter { $0.parentID == parent.id }.map(\.kind) }
        let turns = inRun.filter { $0.kind == "turn.started" }
        try #require(turns.count == 2)
        #expect(children(of: turns[0]) == ["model.completed", "reply.drafted", "tool_call.started", "tool_call.started", "turn.completed"])
        #expect(children(of: turns[1]) == ["model.completed", "reply.drafted", "turn.completed"])
        let drafted = inRun.filter { $0.kind == "reply.drafted" }.compactMap(\.payloadObject)
        #expect(drafted.map { $0["turn"] } == [1, 2])
        #expect(drafted.map { $0["status_line"] } == [true, false])
        try noDraftAfterTheReply(harness, chatID: harness.userID)
        #expect(harness.telegram.violations.isEmpty && harness.openAI.violations.isEmpty)
    }

    @Test("usage chunk absent: the counts are unknown (null), the run's usage incomplete; present: counted")
    func usageChunk() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(
            .streamed(.text("without usage"), OpenAIStream(usage: false)),
            .streamed(.text("with usage", usage: .exact(prompt: 40, completion: 3, cached: 0)), OpenAIStream()))
        let (worker, _) = try await ask(harness, "one")
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "two")
        #expect(await harness.telegram.waitForSentMessages(count: 2, chatID: harness.userID, timeout: .seconds(20)).count == 2)
        #expect(await harness.wait { harness.events("agent.completed").count == 2 })
        let completed = harness.events("model.completed").compactMap { $0.payloadObject }
        #expect(completed.map { $0["input_tokens"] } == [.null, 40])
        #expect(completed.allSatisfy { $0["streamed"] == true })
        let runs = harness.events("agent.completed").compactMap { $0.payloadObject }
        #expect(runs.map { $0["usage_complete"] } == [false, true])
    }

    @Test("an error chunk, a cut and an error body with status 200 before any text are retried; the answer streams after")
    func failuresBeforeTextAreRetried() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(
            .streamed(.text("lost"), OpenAIStream(errorAfter: 0)),
            .streamed(.text("lost"), OpenAIStream(cutAfter: 0)),
            .raw(status: 200, body: #"{"error":{"code":500,"message":"upstream failed"}}"#),
            .streamed(.text(Self.words(20)), OpenAIStream(tokensPerSecond: 40)))
        let (worker, sent) = try await ask(
            harness, "flaky", environment: ["AGENT_MODEL_RETRY_BASE_MS": "10", "AGENT_MODEL_RETRY_CAP_MS": "50"])
        defer { worker.signal(SIGKILL) }
        #expect(sent.first?.text == Self.words(20))
        #expect(harness.openAI.requests.count == 4)
        #expect(harness.events("retry.scheduled").count == 3)
        #expect(harness.telegram.drafts(chatID: harness.userID).allSatisfy { Self.words(20).hasPrefix($0.text) })
    }

    @Test(
        "a stream cut half-way or failing with an error chunk after text was shown: not retried, the user told, the text received kept in the events",
        arguments: [OpenAIStream(tokensPerSecond: 50, cutAfter: 10), OpenAIStream(tokensPerSecond: 50, errorAfter: 10)])
    func failuresAfterTextEndTheTurn(style: OpenAIStream) async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.streamed(.text(Self.words(20)), style), .text("never asked for"))
        let (worker, sent) = try await ask(
            harness, "cut", environment: ["AGENT_MODEL_RETRY_BASE_MS": "10", "AGENT_MODEL_RETRY_CAP_MS": "50"])
        defer { worker.signal(SIGKILL) }
        #expect(sent.count == 1)
        #expect(sent.first?.text.contains("not answering") == true, "\(sent.first?.text ?? "")")
        #expect(harness.openAI.requests.count == 1)
        let failed = try #require(harness.events("model.failed").first?.payloadObject)
        #expect(failed["received_text"] == .string(Self.words(10)))
        #expect(harness.events("agent.failed").first?.payloadObject?["reason"] == "model_unavailable")
        #expect(!harness.telegram.drafts(chatID: harness.userID).isEmpty, "text was shown before the failure")
        try noDraftAfterTheReply(harness, chatID: harness.userID)
    }

    @Test("a server that answers a streamed request with one JSON body: the reply arrives, no drafts, streamed false")
    func serverIgnoresStream() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.streamed(.text("one body"), OpenAIStream(ignoresStream: true)))
        let (worker, sent) = try await ask(harness, "hi")
        defer { worker.signal(SIGKILL) }
        #expect(sent.first?.text == "one body")
        #expect(harness.openAI.requests.first?.body["stream"] == true)
        #expect(harness.telegram.drafts().isEmpty)
        #expect(harness.events("model.completed").first?.payloadObject?["streamed"] == false)
        #expect(harness.events("reply.drafted").isEmpty)
    }

    @Test("sendMessageDraft refused with 400: the reply still arrives, one telegram.error, no more drafts in that chat")
    func draftsRefused() async throws {
        let harness = try AgentHarness()
        harness.telegram.refuseDrafts()
        harness.openAI.enqueue(
            .streamed(.text(Self.words(30)), OpenAIStream(tokensPerSecond: 60)),
            .streamed(.text(Self.words(30, from: 31)), OpenAIStream(tokensPerSecond: 60)))
        let (worker, sent) = try await ask(harness, "first")
        defer { worker.signal(SIGKILL) }
        #expect(sent.first?.text == Self.words(30))
        harness.telegram.refuseDrafts(description: nil)
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "second")
        let both = await harness.telegram.waitForSentMessages(count: 2, chatID: harness.userID, timeout: .seconds(20))
        #expect(both.last?.text == Self.words(30, from: 31))
        #expect(harness.telegram.requests(for: "sendMessageDraft").count == 1, "drafts stop for that chat after the refusal")
        #expect(harness.telegram.drafts().isEmpty)
        let errors = harness.events("telegram.error").compactMap { $0.payloadObject }.filter { $0["method"] == "sendMessageDraft" }
        #expect(errors.count == 1)
        #expect(errors.first?["status"] == 400)
        #expect(harness.events("agent.failed").isEmpty)
        #expect(harness.openAI.requests.last?.body["stream"] == nil, "with drafts off the chat's calls are not streamed")
    }

    @Test("a group chat gets the typing action only; AGENT_STREAM=off: no drafts and the request carries no stream")
    func groupAndOff() async throws {
        let harness = try AgentHarness()
        let group: Int64 = -100_777
        harness.openAI.enqueue(.delayed(.milliseconds(600), .text("hello group")))
        let (worker, sent) = try await ask(harness, "@agent_test_bot hi", chatID: group, environment: ["AGENT_TYPING_DELAY_MS": "0"])
        #expect(sent.first?.text.contains("hello group") == true)
        #expect(harness.telegram.requests(for: "sendMessageDraft").isEmpty)
        #expect(harness.telegram.chatActions.contains { $0.chatID == group && $0.action == "typing" })
        #expect(harness.openAI.requests.first?.body["stream"] == nil)
        worker.signal(SIGKILL)
        _ = await worker.wait()

        let off = try AgentHarness()
        off.openAI.enqueue(.streamed(.text(Self.words(20)), OpenAIStream(tokensPerSecond: 100)))
        let (plain, answer) = try await ask(off, "no streaming", environment: ["AGENT_STREAM": "off"])
        defer { plain.signal(SIGKILL) }
        #expect(answer.first?.text == Self.words(20))
        #expect(off.telegram.requests(for: "sendMessageDraft").isEmpty)
        #expect(off.openAI.requests.first?.body["stream"] == nil)
        #expect(off.openAI.requests.first?.body["stream_options"] == nil)
        #expect(off.events("model.completed").first?.payloadObject?["streamed"] == false)
    }

    @Test("a malformed AGENT_STREAM stops the worker at start, one line naming it")
    func malformedSetting() async throws {
        let harness = try AgentHarness()
        let result = try await ProcessRunner.run(
            ProcessSpec(executable: Executables.path("agent-worker"), environment: harness.environment(["AGENT_STREAM": "loud"])))
        #expect(result.status == .exited(2))
        #expect(result.standardError.hasPrefix("agent-worker: AGENT_STREAM: "), "\(result.standardError)")
    }

    @Test("kill -9 mid-stream: after the restart one final reply, and no draft after it")
    func killedMidStream() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(
            .streamed(.text(Self.words(200)), OpenAIStream(tokensPerSecond: 20)),
            .streamed(.text(Self.words(20, from: 500)), OpenAIStream(tokensPerSecond: 50)))
        let first = try harness.startWorker()
        defer { first.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "long one")
        #expect(await harness.telegram.waitForDrafts(count: 2, chatID: harness.userID, timeout: .seconds(20)).count >= 2)
        first.signal(SIGKILL)
        _ = await first.wait()
        let beforeRestart = harness.telegram.drafts(chatID: harness.userID)

        let second = try harness.startWorker()
        defer { second.signal(SIGKILL) }
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(30))
        #expect(sent.map(\.text) == [Self.words(20, from: 500)], "logs:\n\(harness.allLogs())")
        try await Task.sleep(for: .milliseconds(800))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).count == 1)
        try noDraftAfterTheReply(harness, chatID: harness.userID)
        let after = harness.telegram.drafts(chatID: harness.userID).dropFirst(beforeRestart.count)
        #expect(!after.isEmpty, "the second attempt streamed too")
        #expect(Set(after.map(\.draftID)).isDisjoint(with: beforeRestart.map(\.draftID)), "a new draft for the new attempt")
    }

    @Test("hostile: a single grapheme longer than a message in a draft: the draft is cut inside it, the reply is split, nothing loops")
    func graphemeLongerThanAMessage() async throws {
        let harness = try AgentHarness()
        let answer = "Look: a" + String(repeating: "\u{0301}", count: 5000)
        let parts = MessageSplitter.split(answer)
        harness.openAI.enqueue(.streamed(.text(answer), OpenAIStream(tokensPerSecond: 20)))
        let (worker, sent) = try await ask(harness, "accents", expect: parts.count)
        defer { worker.signal(SIGKILL) }
        #expect(sent.map(\.text) == parts)
        let drafts = harness.telegram.drafts(chatID: harness.userID)
        #expect(!drafts.isEmpty)
        #expect(drafts.allSatisfy { $0.text.utf16.count <= 4096 })
        #expect(harness.events("telegram.error").isEmpty, "no draft was refused")
        try noDraftAfterTheReply(harness, chatID: harness.userID)
        #expect(harness.telegram.violations.isEmpty, "\(harness.telegram.violations)")
    }
}
