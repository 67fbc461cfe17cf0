import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// `supervisord-agent` as a user runs it, with real workers and fixture workers (shell scripts).
@Suite("Supervisor end to end", .timeLimit(.minutes(3)))
struct SupervisorEndToEndTests {
    /// Writes an executable shell script into the harness folder and returns its path.
    func fixture(_ harness: AgentHarness, _ name: String, _ body: String) throws -> String {
        let path = harness.folder.file(name)
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// Starts the supervisor on a worker that never gets ready, with admin alerts due after `alertAfter` seconds.
    func startWithWorkerNeverReady(_ harness: AgentHarness, alertAfter: String, admins: String) throws -> ChildProcess {
        let silent = try fixture(harness, "never-ready", "exec sleep 1000")
        return try harness.startSupervisor(
            worker: silent, ["AGENT_ALERT_AFTER_S": alertAfter, "TELEGRAM_ADMIN_USER_IDS": admins, "AGENT_READY_TIMEOUT_S": "30"])
    }

    func isAlive(_ pid: Int64) -> Bool {
        guard kill(pid_t(pid), 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }

    @Test("a worker setting that is malformed stops the supervisor (exit 2, one line) instead of restarting the worker for good")
    func misconfiguredWorkerStopsTheSupervisor() async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor(["AGENT_MAX_STEPS": "many", "AGENT_BACKOFF_BASE_MS": "100"])
        defer { supervisor.signal(SIGKILL) }
        let ended = await supervisor.wait(timeout: .seconds(30))
        #expect(ended.status == .exited(2), "\(harness.allLogs())")
        let lines = harness.allLogs().split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("agent-worker: ") && $0.contains("AGENT_MAX_STEPS") }, "the worker's line names the setting")
        #expect(lines.contains { $0.hasPrefix("supervisord-agent: ") && $0.contains("exit 2") }, "\(harness.allLogs())")
        #expect(harness.events("worker.spawned").count == 1, "not restarted")
        let stopped = try #require(harness.events("process.stopped").last?.payloadObject?["reason"]?.stringValue)
        #expect(stopped.contains("a setting or a folder is wrong"))
    }

    @Test("a message in, a reply out: the whole tree of SPEC section 3 under the supervisor's process")
    func wholeTree() async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor()
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(30)) { !harness.events("worker.ready").isEmpty }, "\(harness.allLogs())")
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "hi from the tree test")
        #expect(await harness.telegram.waitForSentMessages(count: 1, timeout: .seconds(20)).count == 1)
        #expect(await harness.wait { !harness.events("reply.sent").isEmpty })

        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-log"), arguments: ["tree", "--last-process", "--json"],
                environment: harness.environment()))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        func children(_ node: [String: Any]) -> [[String: Any]] { node["children"] as? [[String: Any]] ?? [] }
        func child(_ node: [String: Any], _ kind: String) -> [String: Any]? { children(node).first { $0["kind"] as? String == kind } }
        #expect(root["kind"] as? String == "process.started")
        #expect(root["source"] as? String == "supervisor")
        let spawned = try #require(child(root, "worker.spawned"))
        #expect((spawned["payload"] as? [String: Any])?["instance"] as? Int == 1)
        #expect(child(spawned, "worker.ready") != nil)
        let workerProcess = try #require(child(spawned, "process.started"))
        #expect(workerProcess["source"] as? String == "worker")
        #expect(workerProcess["instance"] as? Int == 1)
        #expect(workerProcess["rev"] as? String == (spawned["payload"] as? [String: Any])?["rev"] as? String)
        let run = try #require(child(workerProcess, "agent.started"))
        #expect(child(run, "context.assembled") != nil)
        let turn = try #require(child(run, "turn.started"))
        #expect(child(turn, "model.completed") != nil)
        #expect(child(turn, "turn.completed") != nil)
        #expect(child(run, "agent.completed") != nil)
        #expect(child(run, "reply.sent") != nil)
        #expect(run["unfinished"] as? Bool == false)

        supervisor.signal(SIGTERM)
        #expect(await supervisor.wait(timeout: .seconds(15)).status == .exited(0))
        let closing = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-log"), arguments: ["tree", "--last-process"], environment: harness.environment()))
        #expect(closing.standardOutput.contains("worker.exited"))
        #expect(closing.standardOutput.contains("process.stopped"))
        #expect(!harness.everythingWritten().contains(AgentHarness.token))
    }

    @Test("a worker that exits at once every time: crash_loop.detected, the backoff observed, no busy loop")
    func crashLoop() async throws {
        let harness = try AgentHarness()
        let worker = try fixture(harness, "crashing-worker", "echo 'failing on purpose' >&2\nexit 3")
        let supervisor = try harness.startSupervisor(
            worker: worker,
            ["AGENT_BACKOFF_BASE_MS": "100", "AGENT_BACKOFF_MAX_S": "1", "AGENT_CRASH_BEFORE_READY_MAX": "3", "AGENT_CRASH_WINDOW_S": "60"])
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(15)) { !harness.events("crash_loop.detected").isEmpty })
        try await Task.sleep(for: .seconds(2))
        let loop = try #require(harness.events("crash_loop.detected").first?.payloadObject)
        #expect(loop["exits"] == 3)
        #expect(loop["window_s"] == 60)
        #expect(harness.events("crash_loop.detected").count == 1)
        let spawns = harness.events("worker.spawned")
        let exits = harness.events("worker.exited").compactMap(\.payloadObject)
        #expect(exits.allSatisfy { $0["code"] == 3 })
        let scheduled = harness.events("worker.restart_scheduled")
        // Each restart waits its scheduled delay; after the crash loop, the cap.
        for (index, restart) in scheduled.enumerated() where index + 1 < spawns.count {
            let delay = restart.payloadObject?["delay_ms"]?.int64Value ?? 0
            #expect(spawns[index + 1].ts - restart.ts >= delay - 5)
        }
        #expect(scheduled.dropFirst(2).allSatisfy { $0.payloadObject?["delay_ms"] == 1000 })
        #expect(spawns.count <= 8, "\(spawns.count) spawns in about 4 s: a busy loop")
    }

    @Test("SIGTERM stops both processes within the grace period and nothing restarts")
    func cleanStop() async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor(["AGENT_STOP_GRACE_S": "5"])
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(30)) { !harness.events("worker.ready").isEmpty })
        let workerPID = try #require(harness.events("process.started").first { $0.source == "worker" }?.pid)
        let started = ContinuousClock.now
        supervisor.signal(SIGTERM)
        #expect(await supervisor.wait(timeout: .seconds(10)).status == .exited(0))
        #expect(ContinuousClock.now - started < .seconds(5), "\(harness.allLogs())")
        #expect(await harness.wait(timeout: .seconds(2)) { !isAlive(workerPID) })
        try await Task.sleep(for: .milliseconds(500))
        #expect(harness.events("worker.spawned").count == 1)
        #expect(harness.events("worker.exited").first?.payloadObject?["reason"] == "stopped")
        #expect(harness.events("process.stopped").count == 2)
    }

    @Test("a second supervisor on the same database refuses to start with a clear message")
    func secondSupervisor() async throws {
        let harness = try AgentHarness()
        let first = try harness.startSupervisor()
        defer { first.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(30)) { !harness.events("worker.spawned").isEmpty })
        let second = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("supervisord-agent"), arguments: ["--worker", Executables.path("agent-worker")],
                environment: harness.environment()),
            timeout: .seconds(10))
        #expect(second.status == .exited(1))
        #expect(second.standardError.contains("already running"))
        #expect(second.standardError.split(separator: "\n").count == 1)
        #expect(harness.events("worker.spawned").count == 1)
    }

    @Test("a worker never ready is killed at the ready timeout; one gone silent, at the watchdog")
    func readyTimeoutAndWatchdog() async throws {
        let harness = try AgentHarness()
        let silent = try fixture(harness, "never-ready", "exec sleep 1000")
        let supervisor = try harness.startSupervisor(worker: silent, ["AGENT_READY_TIMEOUT_S": "1", "AGENT_BACKOFF_BASE_MS": "50"])
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(10)) { !harness.events("worker.exited").isEmpty })
        #expect(harness.events("worker.exited").first?.payloadObject?["reason"] == "ready_timeout")
        #expect(harness.events("worker.exited").first?.payloadObject?["signal"] == .int(Int64(SIGKILL)))
        supervisor.signal(SIGKILL)
        _ = await supervisor.wait()

        let other = try AgentHarness()
        let hanging = try fixture(other, "goes-silent", "echo READY=1\nexec sleep 1000")
        let second = try other.startSupervisor(worker: hanging, ["AGENT_WATCHDOG_S": "1", "AGENT_BACKOFF_BASE_MS": "50"])
        defer { second.signal(SIGKILL) }
        #expect(await other.wait(timeout: .seconds(10)) { !other.events("worker.exited").isEmpty })
        #expect(other.events("worker.ready").count >= 1)
        #expect(other.events("worker.exited").first?.payloadObject?["reason"] == "watchdog")
    }

    @Test("the worker exits when the supervisor dies (the end of its standard input)")
    func workerFollowsSupervisor() async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor()
        #expect(await harness.wait(timeout: .seconds(30)) { !harness.events("worker.ready").isEmpty })
        let workerPID = try #require(harness.events("process.started").first { $0.source == "worker" }?.pid)
        supervisor.signal(SIGKILL)
        _ = await supervisor.wait()
        #expect(await harness.wait(timeout: .seconds(10)) { !isAlive(workerPID) }, "the worker outlived its supervisor")
        #expect(harness.events("process.stopped").contains { $0.source == "worker" })
    }

    @Test("when no worker is ready for AGENT_ALERT_AFTER_S, the admins get one message")
    func alertAdmins() async throws {
        let harness = try AgentHarness()
        let supervisor = try startWithWorkerNeverReady(harness, alertAfter: "1", admins: "77,78")
        defer { supervisor.signal(SIGKILL) }
        let alerts = await harness.telegram.waitForSentMessages(count: 2, timeout: .seconds(10))
        #expect(Set(alerts.map(\.chatID)) == [77, 78])
        #expect(alerts.allSatisfy { $0.text.contains("no worker has been ready") })
        #expect(await harness.wait { harness.events("alert.sent").count == 1 })
        #expect(harness.events("alert.sent").first?.payloadObject?["delivered"] == 2)
        try await Task.sleep(for: .seconds(2))
        #expect(harness.telegram.sentMessages().count == 2, "alerts repeat at most hourly")
        #expect(harness.telegram.requests.allSatisfy { $0.method == "sendMessage" }, "the supervisor calls nothing else of Telegram")
    }

    @Test("the supervisor maps neither Foundation's ICU nor libcurl until it alerts, and loads libcurl to alert (issue 12)")
    func footprintUntilAlert() async throws {
        let harness = try AgentHarness()
        let supervisor = try startWithWorkerNeverReady(harness, alertAfter: "5", admins: "77")
        defer { supervisor.signal(SIGKILL) }
        func mappedLibraries() -> Set<Substring> {
            // Read to the end: a /proc file has no size, and a one-shot read can stop part of the way.
            let data = FileHandle(forReadingAtPath: "/proc/\(supervisor.pid)/maps")?.readDataToEndOfFile() ?? Data()
            let maps = String(decoding: data, as: UTF8.self)
            return Set(maps.split(separator: "\n").compactMap { $0.split(separator: " ").last }.filter { $0.contains(".so") })
        }
        #expect(await harness.wait(timeout: .seconds(30)) { !harness.events("worker.spawned").isEmpty })
        let before = mappedLibraries()
        #expect(!before.isEmpty)
        #expect(!before.contains { $0.contains("libcurl") }, "libcurl is loaded before any request")
        #expect(!before.contains { $0.hasSuffix("/libFoundation.so") || $0.contains("Internationalization") || $0.contains("ICU") })
        #expect(harness.events("alert.sent").isEmpty, "the check above ran before the alert was due")
        #expect(await harness.telegram.waitForSentMessages(count: 1, timeout: .seconds(20)).count == 1)
        #expect(mappedLibraries().contains { $0.contains("libcurl") }, "\(mappedLibraries())")
    }

    @Test("settings are checked at start: one line naming the variable, never a secret")
    func badSettings() async throws {
        let harness = try AgentHarness()
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("supervisord-agent"), arguments: ["--worker", Executables.path("agent-worker")],
                environment: harness.environment(["AGENT_WATCHDOG_S": "soon"])))
        #expect(result.status == .exited(2))
        #expect(result.standardError == "supervisord-agent: AGENT_WATCHDOG_S: must be a whole number in 1...315360000, got \"soon\"\n")
        let worker = try await ProcessRunner.run(
            ProcessSpec(executable: Executables.path("agent-worker"), environment: harness.environment(["TELEGRAM_ALLOWED_USER_IDS": ""])))
        #expect(worker.status == .exited(2))
        #expect(worker.standardError.hasPrefix("agent-worker: TELEGRAM_ALLOWED_USER_IDS: is required"))
        let overlap = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-worker"), environment: harness.environment(["AGENT_WORKSPACE": harness.home + "/ws"])))
        #expect(overlap.status == .exited(2))
        #expect(overlap.standardError.contains("AGENT_WORKSPACE"))
        for output in [result.standardError, worker.standardError, overlap.standardError] {
            #expect(!output.contains(AgentHarness.token))
        }
    }
}

/// Orphans of the worker are re-parented to the supervisor (a child subreaper, as PID 1 is in a container) and
/// reaped by its one `waitpid(-1)` thread.
@Suite("Supervisor reaps orphans", .timeLimit(.minutes(3)))
struct SupervisorReapingTests {
    /// The parent pid and state of a process, from `/proc/<pid>/stat`.
    static func parentAndState(of pid: Int) -> (parent: Int, state: Substring)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.range(of: ") ", options: .backwards)
        else { return nil }
        let fields = stat[close.upperBound...].split(separator: " ")
        guard fields.count > 1, let parent = Int(fields[1]) else { return nil }
        return (parent, fields[0])
    }

    @Test("orphans of the worker become the supervisor's children and are reaped: no zombie stays")
    func reapsOrphans() async throws {
        let harness = try AgentHarness()
        let script = harness.folder.file("orphan-maker")
        // The worker leaves an orphan that outlives it by a moment (`sleep 1` in a subshell that exits at once).
        try "#!/bin/sh\n(sleep 1 &)\necho READY=1\nwhile read -r _; do :; done\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let supervisor = try harness.startSupervisor(worker: script)
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(20)) { !harness.events("worker.ready").isEmpty })
        let processes = { try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int.init) }
        // While it sleeps, the orphan is the supervisor's child.
        let adopted = try processes().filter { Self.parentAndState(of: $0)?.parent == Int(supervisor.pid) }
        #expect(adopted.count >= 2, "the worker and its orphan should both be children of the supervisor")
        try await Task.sleep(for: .milliseconds(1600))
        let zombies = try processes().filter { pid in
            guard let info = Self.parentAndState(of: pid) else { return false }
            return info.parent == Int(supervisor.pid) && info.state == "Z"
        }
        #expect(zombies.isEmpty, "zombies left under the supervisor: \(zombies)")
    }
}
