import Events
import Foundation
import LogViewer
import ProcessControl
import TestSupport
import Testing

/// `agent-log ready`: what the container's health check asks.
@Suite("agent-log ready", .timeLimit(.minutes(2)))
struct ReadyCommandTests {
    func agentLog(_ arguments: [String], environment: [String: String]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            ProcessSpec(executable: Executables.path("agent-log"), arguments: arguments, environment: environment),
            timeout: .seconds(30))
    }

    @Test("each state read from the events: none, starting, ready, restarting, stopped")
    func statesFromEvents() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("agent.db"))
        let store = EventStore(database: database, identity: EventIdentity(source: .supervisor), now: { 1_000_000 })
        func state(lock: Bool? = true) throws -> WorkerReadiness {
            try WorkerReadiness.load(from: database, supervisorLockHeld: lock, now: 1_065_000)
        }
        #expect(try state().state == .none)

        let process = try store.startSpan("process", parent: nil, payload: ["program": "supervisord-agent"])
        #expect(try state().state == .starting)
        let first = try process.event(EventKind.workerSpawned, payload: ["instance": 1, "rev": "abcdef0123456789"])
        #expect(try state().state == .starting)
        #expect(try state().detail.contains("worker 1 (rev abcdef012345)"))
        try store.append(EventKind.workerReady, parent: first, payload: ["pid": 77])
        let ready = try state()
        #expect(ready.isReady && ready.pid == 77 && ready.instance == 1)
        #expect(ready.line == "ready: worker 1 (rev abcdef012345) ready since 1m05s ago, pid 77")
        #expect(try state(lock: nil).isReady)
        // A supervisor killed without recording its stop: its lock is free.
        let orphaned = try state(lock: false)
        #expect(orphaned.state == .stopped && orphaned.detail.contains("its lock is free"))

        try store.append(EventKind.workerExited, parent: first, payload: ["code": 1, "reason": "exited"])
        #expect(try state().state == .restarting)
        let second = try process.event(EventKind.workerSpawned, payload: ["instance": 2, "rev": "abcdef0123456789"])
        #expect(try state().state == .starting)
        try store.append(EventKind.workerReady, parent: second, payload: ["pid": 78])
        #expect(try state().isReady && state().instance == 2)
        try process.event(EventKind.processStopped, payload: ["reason": "signal"])
        let stopped = try state()
        #expect(stopped.state == .stopped && stopped.detail.contains("signal"))
        #expect(
            stopped.json
                == #"{"ready":false,"state":"stopped","instance":null,"rev":null,"pid":null,"since":1000000,"detail":"the supervisor stopped 1m05s ago (signal)"}"#
        )
    }

    @Test("a granted flock in /proc/locks is found by the lock file's inode; waiters and POSIX locks are not")
    func lockTableParsing() throws {
        let table = """
            1: POSIX  ADVISORY  WRITE 2874 fe:00:555 120 120
            2: FLOCK  ADVISORY  WRITE 7422 fe:00:16220345 0 EOF
            2: -> FLOCK  ADVISORY  WRITE 7500 fe:00:999 0 EOF
            """
        #expect(SupervisorLockProbe.holdsFlock(table: table, inode: 16_220_345))
        #expect(!SupervisorLockProbe.holdsFlock(table: table, inode: 555))
        #expect(!SupervisorLockProbe.holdsFlock(table: table, inode: 999))
        let folder = TemporaryDirectory()
        #expect(SupervisorLockProbe.isHeld(databasePath: folder.file("agent.db")) == false)
        // A real flock, taken here, is seen.
        let lock = folder.file("agent.db.lock")
        let fd = open(lock, O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(SupervisorLockProbe.isHeld(databasePath: folder.file("agent.db")) == false)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        #expect(SupervisorLockProbe.isHeld(databasePath: folder.file("agent.db")) == true)
    }

    @Test("with the real supervisor: not ready before READY=1, ready after, not ready once it is killed")
    func withTheRealSupervisor() async throws {
        let harness = try AgentHarness()
        let gate = harness.folder.file("go")
        let worker = harness.folder.file("gated-worker")
        try """
        #!/bin/sh
        while [ ! -e '\(gate)' ]; do sleep 0.05; done
        echo READY=1
        while read -r _; do :; done
        """.write(toFile: worker, atomically: true, encoding: .utf8)
        chmod(worker, 0o755)
        let environment = harness.environment()
        let supervisor = try harness.startSupervisor(worker: worker, ["AGENT_READY_TIMEOUT_S": "60"])
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(20)) { !harness.events("worker.spawned").isEmpty }, "\(harness.allLogs())")
        let starting = try await agentLog(["ready"], environment: environment)
        #expect(starting.status == .exited(1))
        #expect(starting.standardOutput.hasPrefix("starting: worker 1 "))

        FileManager.default.createFile(atPath: gate, contents: nil)
        #expect(await harness.wait(timeout: .seconds(20)) { !harness.events("worker.ready").isEmpty })
        let ready = try await agentLog(["ready", "--json"], environment: environment)
        #expect(ready.status == .exited(0))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ready.standardOutput.utf8)) as? [String: Any])
        #expect(object["ready"] as? Bool == true)
        #expect(object["instance"] as? Int == 1)

        supervisor.signal(SIGKILL)
        _ = await supervisor.wait(timeout: .seconds(10))
        let gone = try await agentLog(["ready"], environment: environment)
        #expect(gone.status == .exited(1))
        #expect(gone.standardOutput.contains("is gone without recording a stop"), "\(gone.standardOutput)")
        #expect(gone.standardError.isEmpty)
    }
}
