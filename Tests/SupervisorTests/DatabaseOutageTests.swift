import Events
import Foundation
import Logging
import ProcessControl
import Supervisor
import Synchronization
import TestSupport
import Testing

/// The supervisor when the database fails (issue 8, item 5): every step is retried, none ends the supervision.
@Suite("Supervisor database outages", .timeLimit(.minutes(3)))
struct DatabaseOutageTests {
    @Test("a failing step is retried with growing delays until the database answers; a stop ends the retries")
    func retriesUntilTheDatabaseAnswers() async throws {
        let folder = TemporaryDirectory(prefix: "supervisor-db")
        let store = EventStore(database: try Database(path: folder.file("agent.db")), identity: EventIdentity(source: .supervisor))
        let stop = StopSignal()
        let database = SupervisorDatabase(
            store: store, logger: Logger(label: "test"), stop: stop, retryBase: .milliseconds(10), retryMax: .milliseconds(40))
        let calls = Counter()
        let started = ContinuousClock.now
        let id = await database.perform("append under a full disk") { store throws(EventsError) -> Int64 in
            if calls.increment() <= 5 { throw EventsError(.diskFull, "database or disk is full") }
            return try store.append("test.recorded")
        }
        #expect(id != nil)
        #expect(calls.value == 6)
        #expect(database.failedAttempts == 5)
        // 10 + 20 + 40 + 40 + 40 ms of backoff at least.
        #expect(ContinuousClock.now - started >= .milliseconds(150))

        let giveUp = Task {
            await database.perform("append while stopping") { _ throws(EventsError) -> Int64 in
                throw EventsError(.busy, "database is locked")
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        stop.raise()
        #expect(await giveUp.value == nil)
        let bug = await database.perform("a malformed kind") { store throws(EventsError) in try store.append("Not A Kind") }
        #expect(bug == nil, "an error no retry can mend is given up at once")
    }

    @Test("an exclusive lock held on the database for 20 s while the worker is killed: the supervisor stays up, a worker serves after")
    func survivesALockedDatabase() async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor(["AGENT_BACKOFF_BASE_MS": "100", "AGENT_BACKOFF_MAX_S": "1"])
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(30)) { !harness.events("worker.ready").isEmpty }, "\(harness.allLogs())")
        let workerPID = try #require(harness.events("process.started").first { $0.source == "worker" }?.pid)

        // The write lock: in WAL mode every open connection holds a shared lock on the file, so no one can shut out
        // readers; every writer waits.
        let holder = try ChildProcess.spawn(
            ProcessSpec(
                executable: "sqlite3",
                arguments: [
                    harness.databasePath, "BEGIN EXCLUSIVE",
                    "INSERT INTO events (ts, kind, source, payload) VALUES (0, 'test.lock', 'build', '{}')", ".shell sleep 20", "ROLLBACK",
                ],
                environment: TestEnvironment.make(), standardOutput: .null, standardError: .file(harness.logFile("sqlite3.err"))))
        defer { holder.signal(SIGKILL) }
        var locked = false
        let deadline = ContinuousClock.now + .seconds(10)
        while !locked, ContinuousClock.now < deadline { locked = try await isLocked(harness.databasePath) }
        #expect(locked, "the lock was never taken")
        let lockedAt = ContinuousClock.now
        kill(pid_t(workerPID), SIGKILL)

        while ContinuousClock.now - lockedAt < .seconds(19) {
            #expect(isAlive(supervisor.pid), "the supervisor exited while the database was locked: \(harness.allLogs())")
            if !isAlive(supervisor.pid) { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        _ = await holder.wait(timeout: .seconds(15))
        #expect(try await !isLocked(harness.databasePath))
        #expect(
            await harness.wait(timeout: .seconds(40)) { harness.events("worker.ready").count >= 2 }, "no new worker: \(harness.allLogs())")
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "still there?")
        #expect(await harness.telegram.waitForSentMessages(count: 1, timeout: .seconds(20)).count == 1)
        #expect(isAlive(supervisor.pid))
        #expect(harness.events("worker.exited").first?.payloadObject?["signal"] == .int(Int64(SIGKILL)))
        #expect(harness.allLogs().contains("database step failed; retrying") || harness.allLogs().contains("worker exited"))
    }

    /// Whether a writer cannot get at the database within 100 ms.
    func isLocked(_ path: String) async throws -> Bool {
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: "sqlite3", arguments: ["-cmd", ".timeout 100", path, "BEGIN IMMEDIATE", "ROLLBACK"],
                environment: TestEnvironment.make()),
            timeout: .seconds(10))
        return !result.status.isSuccess || result.standardError.contains("locked")
    }

    func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }
}

/// A thread-safe count of calls.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() -> Int {
        count.withLock {
            $0 += 1; return $0
        }
    }
    var value: Int { count.withLock { $0 } }
}
