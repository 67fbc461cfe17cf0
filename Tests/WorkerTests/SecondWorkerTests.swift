import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// One worker per database (SPEC section 1): the `flock` on `<AGENT_DB>.worker.lock`.
@Suite("A second worker", .serialized, .timeLimit(.minutes(2)))
struct SecondWorkerTests {
    @Test("a second worker started by hand on the same database exits at once, naming the first one's pid; the first answers once")
    func secondWorkerRefused() async throws {
        let harness = try AgentHarness()
        let first = try harness.startWorker()
        defer { first.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(20)) { !harness.events("process.started").isEmpty }, "\(harness.allLogs())")

        let started = ContinuousClock.now
        let second = try await ProcessRunner.run(
            ProcessSpec(executable: Executables.path("agent-worker"), environment: harness.environment()), timeout: .seconds(20))
        #expect(second.status == .exited(1), "\(second.standardError)")
        #expect(ContinuousClock.now - started < .seconds(10))
        let lines = second.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(second.standardError)")
        #expect(lines.first?.contains("another agent-worker (pid \(first.pid)) is already running on \(harness.databasePath)") == true)
        #expect(harness.events("process.started").count == 1, "the second worker recorded nothing")

        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "only one answer")
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(20))
        #expect(sent.count == 1, "\(harness.allLogs())")
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).count == 1)

        // Once the first one is gone, however it went, a worker starts again.
        first.signal(SIGKILL)
        _ = await first.wait(timeout: .seconds(10))
        let third = try harness.startWorker(name: "third")
        defer { third.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(20)) { harness.events("process.started").count == 2 }, "\(harness.allLogs())")
    }
}
