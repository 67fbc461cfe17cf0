import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// `kill -9` of the worker at each point of a message's life, then a new worker: every message gets exactly one
/// reply, except in the one window between Telegram's answer and the `sent` mark (docs/worker.md), where the
/// message is sent twice.
@Suite("Crash recovery", .timeLimit(.minutes(3)))
struct CrashRecoveryTests {
    struct KillPoint: Sendable, CustomTestStringConvertible {
        let failpoint: String
        let copies: Int
        var testDescription: String { failpoint }
    }

    @Test(
        "a worker killed at a point of the message's life, then restarted",
        arguments: [
            KillPoint(failpoint: "after_update_stored", copies: 1),
            KillPoint(failpoint: "before_model_call", copies: 1),
            KillPoint(failpoint: "after_reply_stored", copies: 1),
            // The one window: Telegram has the message, the outbox row still says `sending`. Sent again at start.
            KillPoint(failpoint: "after_send_before_mark", copies: 2),
            KillPoint(failpoint: "after_reply_marked", copies: 1),
        ])
    func killAndRestart(point: KillPoint) async throws {
        let harness = try AgentHarness()
        let first = try harness.startWorker(["AGENT_FAILPOINT": point.failpoint])
        defer { first.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "ping \(point.failpoint)")
        let status = await first.wait(timeout: .seconds(30)).status
        #expect(status == .signaled(SIGKILL), "the failpoint was not reached; logs:\n\(harness.allLogs())")

        let second = try harness.startWorker()
        defer { second.signal(SIGKILL) }
        let sent = await harness.telegram.waitForSentMessages(count: point.copies, chatID: harness.userID, timeout: .seconds(20))
        #expect(sent.count == point.copies, "logs:\n\(harness.allLogs())")
        #expect(sent.allSatisfy { $0.text.contains("ping \(point.failpoint)") })
        // Nothing more arrives later.
        try await Task.sleep(for: .milliseconds(800))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).count == point.copies)
        #expect(await harness.wait { harness.events("reply.sent").count >= 1 })
        let inbox = try harness.database()?.query("SELECT status, COUNT(*) FROM inbox GROUP BY status").map {
            "\($0[0].string ?? ""):\($0[1].int64 ?? 0)"
        }
        #expect(inbox == ["done:1"])
        #expect(harness.telegram.violations.isEmpty)
    }

    @Test("a worker killed while the model call is in flight: the message is answered once by the next worker")
    func killDuringModelCall() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.delayed(.seconds(30), .text("too late")))
        let first = try harness.startWorker()
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "slow question")
        #expect(await harness.openAI.waitForRequests(count: 1, timeout: .seconds(20)).count == 1)
        first.signal(SIGKILL)
        _ = await first.wait()

        let second = try harness.startWorker()
        defer { second.signal(SIGKILL) }
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(20))
        #expect(sent.count == 1)
        #expect(sent.first?.text.contains("slow question") == true)
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).count == 1)
        let attempts = try harness.database()?.query("SELECT attempts FROM inbox").first?[0].int64
        #expect(attempts == 2)
        // The first run's span stays open, shown as unfinished; the second one completed.
        let runs = harness.events("agent.*")
        #expect(runs.map(\.kind) == ["agent.started", "agent.started", "agent.completed"])
    }

    @Test("a poison message that kills the worker every time is given up after 3 attempts, with one apology")
    func poisonMessage() async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor(
            [
                "AGENT_FAILPOINT": "before_model_call:POISON", "AGENT_BACKOFF_BASE_MS": "50", "AGENT_BACKOFF_MAX_S": "1",
                "AGENT_CRASH_MAX": "10", "AGENT_STOP_GRACE_S": "2",
            ])
        defer { supervisor.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "POISON pill")
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "a normal question")
        let sent = await harness.telegram.waitForSentMessages(count: 2, chatID: harness.userID, timeout: .seconds(60))
        try #require(sent.count == 2, "logs:\n\(harness.allLogs())")
        #expect(sent[0].text.hasPrefix("Sorry, I could not process that message"))
        #expect(sent[1].text.contains("a normal question"))
        let rows = try harness.database()?.query("SELECT status, attempts FROM inbox ORDER BY update_id").map {
            "\($0[0].string ?? ""):\($0[1].int64 ?? 0)"
        }
        #expect(rows == ["failed:4", "done:1"])
        #expect(harness.events("worker.exited").count == 3)
        #expect(harness.events("inbox.failed").count == 1)
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).count == 2)
        supervisor.signal(SIGTERM)
        #expect(await supervisor.wait(timeout: .seconds(10)).status == .exited(0))
    }
}
