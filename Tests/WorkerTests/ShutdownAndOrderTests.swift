import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@Suite("Shutdown and ordering", .timeLimit(.minutes(3)))
struct ShutdownAndOrderTests {
    @Test("SIGTERM lets the message in progress finish and its reply go out, then the worker exits 0")
    func sigtermFinishesTheMessage() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.delayed(.milliseconds(1500), .text("finished after the stop")))
        let worker = try harness.startWorker()
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "take your time")
        #expect(await harness.openAI.waitForRequests(count: 1, timeout: .seconds(20)).count == 1)
        worker.signal(SIGTERM)
        #expect(await worker.wait(timeout: .seconds(15)).status == .exited(0))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).map(\.text) == ["finished after the stop"])
        #expect((try harness.database()?.query("SELECT status FROM inbox").first?[0].string) == "done")
        #expect(harness.events("process.stopped").first?.payloadObject?["reason"] == "shutdown")
    }

    @Test("chats are served side by side, each strictly in order")
    func perChatOrder() async throws {
        // Every answer takes 100 ms: served one at a time, 15 messages would take 1.5 s; three chats side by side, 0.5 s.
        let harness = try AgentHarness(openAIDefault: { body in .delayed(.milliseconds(100), OpenAIDouble.echo(body)) })
        let worker = try harness.startWorker(
            ["AGENT_SEND_PER_CHAT_PER_S": "1000", "AGENT_SEND_TOTAL_PER_S": "1000", "TELEGRAM_ALLOWED_USER_IDS": "1,2,3"])
        defer { worker.signal(SIGKILL) }
        try await Task.sleep(for: .seconds(1))
        let started = ContinuousClock.now
        for index in 0..<5 {
            for chat in Int64(1)...3 { harness.telegram.sendUserMessage(chatID: chat, userID: chat, text: "message \(index)") }
        }
        #expect(await harness.telegram.waitForSentMessages(count: 15, timeout: .seconds(20)).count == 15)
        let elapsed = ContinuousClock.now - started
        for chat in Int64(1)...3 {
            #expect(harness.telegram.sentMessages(chatID: chat).map(\.text) == (0..<5).map { "Echo: message \($0)" })
        }
        #expect(elapsed < .milliseconds(1400), "chats were not served concurrently: \(elapsed)")
    }

    @Test("while Telegram is unreachable at start, the end of stdin or SIGTERM still stops the worker")
    func stopsBeforeReady() async throws {
        let harness = try AgentHarness()
        harness.telegram.stop()  // Nothing answers: getMe is retried.
        let store = EventStore(database: try Database(path: harness.databasePath), identity: EventIdentity(source: .supervisor))
        let spawned = try store.append(EventKind.workerSpawned, payload: ["instance": 1])
        let supervised = try ChildProcess.spawn(
            ProcessSpec(
                executable: Executables.path("agent-worker"),
                environment: harness.environment(["AGENT_PARENT_EVENT_ID": "\(spawned)", "AGENT_INSTANCE": "1"]),
                standardInput: .pipe, standardOutput: .null, standardError: .file(harness.logFile("supervised.err"))))
        defer { supervised.signal(SIGKILL) }
        #expect(await harness.wait { !harness.events("telegram.error").isEmpty }, "\(harness.allLogs())")
        supervised.closeStandardInput()
        #expect(await supervised.wait(timeout: .seconds(5)).status == .exited(0))
        #expect(harness.events("process.stopped").first?.payloadObject?["reason"] == "end of standard input")

        let standalone = try harness.startWorker()
        defer { standalone.signal(SIGKILL) }
        #expect(await harness.wait { harness.events("telegram.error").count >= 2 })
        standalone.signal(SIGTERM)
        #expect(await standalone.wait(timeout: .seconds(5)).status == .exited(0))
        #expect(harness.events("process.stopped").count == 2)
    }
}
