import Events
import Foundation
import ProcessControl
import TestSupport
import Testing
import WorkerRuntime

/// The watchdog stands for progress of every loop: a component with work in flight and no progress past its
/// allowance stops the beats; an idle one, or one in a long step it announced, does not (issue 8, item 2).
@Suite("Watchdog", .timeLimit(.minutes(3)))
struct WatchdogTests {
    @Test("idle components are healthy; work without progress past its allowance is a stall; a step may allow more")
    func progressClock() async throws {
        let clock = ProgressClock()
        let sender = clock.component("sender", allowance: .milliseconds(100))
        let dispatcher = clock.component("dispatcher", allowance: .milliseconds(100))
        _ = dispatcher
        try await Task.sleep(for: .milliseconds(200))
        #expect(clock.stalls().isEmpty, "nothing in flight")
        await sender.withWork { work in
            #expect(ProgressClock.Work.current != nil)
            try? await Task.sleep(for: .milliseconds(200))
            #expect(clock.stalls().map(\.component) == ["sender"])
            work.tick()
            #expect(clock.stalls().isEmpty)
            work.step(allowing: .seconds(60))
            try? await Task.sleep(for: .milliseconds(200))
            #expect(clock.stalls().isEmpty, "the step allowed a minute")
            work.tick()
            try? await Task.sleep(for: .milliseconds(200))
            #expect(clock.stalls().count == 1, "back to the component's allowance")
        }
        #expect(clock.stalls().isEmpty, "the work ended")
        #expect(ProgressClock.Work.current == nil)
    }

    struct Hang: Sendable, CustomTestStringConvertible {
        let failpoint: String
        let component: String
        var testDescription: String { component }
    }

    @Test(
        "a stuck dispatcher or sender stops the watchdog, the supervisor restarts the worker, and the next one serves",
        arguments: [
            Hang(failpoint: "before_model_call:hang here", component: "dispatcher"),
            Hang(failpoint: "after_send_before_mark", component: "sender"),
        ])
    func stuckComponent(_ hang: Hang) async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor(
            [
                "AGENT_FAILPOINT": hang.failpoint, "AGENT_FAILPOINT_ACTION": "hang", "AGENT_STALL_S": "2", "AGENT_WATCHDOG_S": "3",
                "AGENT_BACKOFF_BASE_MS": "100", "TELEGRAM_ALLOWED_USER_IDS": "\(harness.userID),5151",
            ])
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(30)) { harness.events("worker.ready").count == 1 }, "\(harness.allLogs())")
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "hang here, please")
        let killed = await harness.wait(timeout: .seconds(40)) {
            harness.events("worker.exited").contains { $0.payloadObject?["reason"]?.stringValue == "watchdog" }
        }
        #expect(killed, "the worker was not killed for its watchdog; logs:\n\(harness.allLogs())")
        #expect(harness.allLogs().contains("withholding the watchdog beat"))
        #expect(harness.allLogs().contains("\(hang.component): no progress"))
        #expect(await harness.wait(timeout: .seconds(30)) { harness.events("worker.ready").count >= 2 }, "\(harness.allLogs())")
        if hang.component == "dispatcher" {
            // The next worker serves the other chat (the poison message hangs each attempt until it is given up).
            harness.telegram.sendUserMessage(chatID: 5151, userID: 5151, text: "are you there?")
            let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: 5151, timeout: .seconds(30))
            #expect(sent.first?.text.contains("are you there?") == true, "\(harness.allLogs())")
        }
        supervisor.signal(SIGTERM)
        _ = await supervisor.wait(timeout: .seconds(20))
    }

    @Test("a model call and a command longer than the stall allowance are steps, not stalls: no restart")
    func longStepsAreNotStalls() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(
            .delayed(.seconds(5), .toolCalls([OpenAIToolCall(name: "bash", arguments: #"{"command": "sleep 5; echo slept"}"#)])),
            .text("done after a long step"))
        let supervisor = try harness.startSupervisor(
            ["AGENT_STALL_S": "1", "AGENT_WATCHDOG_S": "3", "AGENT_ALLOW_UNSANDBOXED_EXEC": "1"])
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(30)) { harness.events("worker.ready").count == 1 }, "\(harness.allLogs())")
        try await Task.sleep(for: .seconds(4))  // idle past the allowance and the watchdog: still beating
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "take your time")
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(40))
        #expect(sent.first?.text.contains("done after a long step") == true, "\(harness.allLogs())")
        let calls = harness.events("tool_call.completed")
        #expect(calls.first?.payloadObject?["ok"] == true, "\(calls.map(\.payloadObject))")
        #expect(harness.events("worker.exited").isEmpty, "\(harness.allLogs())")
        #expect(harness.events("worker.spawned").count == 1)
        supervisor.signal(SIGTERM)
        _ = await supervisor.wait(timeout: .seconds(20))
    }
}
