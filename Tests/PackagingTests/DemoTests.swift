import Foundation
import ProcessControl
import TestSupport
import Testing

/// `make demo` as a newcomer meets it: `scripts/demo.sh` against this build's executables, every step shown, the
/// staged revision promoted, and nothing it started left running.
@Suite("make demo: the scripted conversation with the real programs", .timeLimit(.minutes(3)))
struct DemoTests {
    static let headings = [
        "== 1. A plain answer ==", "== 2. An answer that uses tools (ls, grep, read) ==", "== 3. A user who is not allowed ==",
        "== 4. kill -9 of the worker, restarted by the supervisor ==",
        "== 5. A staged update: approved by the admin's button press, deployed, promoted ==", "== agent-log tree --last-run ==",
        "== agent-log runs ==",
    ]

    /// `agent-log tail --json` of the demo's database: the payloads of the events of the kinds matching `kind`.
    func payloads(_ kind: String, database: String) async throws -> [[String: Any]] {
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-log"), arguments: ["tail", "--db", database, "--kind", kind, "-n", "1000", "--json"],
                environment: TestEnvironment.make()),
            timeout: .seconds(30))
        return result.standardOutput.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["payload"] as? [String: Any]
        }
    }

    @Test("the demo answers, runs ls, grep and read, ignores a stranger, survives kill -9, promotes the staged update")
    func demoPlaysEveryStep() async throws {
        let folder = TemporaryDirectory(prefix: "agent-demo")
        let demo = folder.file("demo")
        let started = ContinuousClock.now
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: "\(Repository.root)/scripts/demo.sh",
                environment: TestEnvironment.make(["AGENT_BIN_DIR": Executables.directory, "DEMO_DIR": demo]),
                workingDirectory: Repository.root, newSession: true),
            timeout: .seconds(150))
        let took = ContinuousClock.now - started
        let output = result.standardOutput
        #expect(result.status == .exited(0), "\(result.standardError)\n\(output)")
        #expect(took < .seconds(120), "the demo took \(took)")
        for heading in Self.headings {
            #expect(output.contains(heading), "\(heading) is missing from:\n\(output)")
        }
        #expect(output.contains("bot> Hello! I am your agent."))
        for line in ["tool ls {\"path\":\".\"} ->", "Sources/agent-log/AgentLog.swift:11: struct AgentLog", "// swift-tools-version"] {
            #expect(output.contains(line), "the tools' real output: \(line)")
        }
        #expect(output.contains("(no answer) recorded: telegram.unauthorized"))
        #expect(output.contains("bot> instance: 2"), "/status after the restart comes from the second worker")
        #expect(output.contains("bot> Update promoted"))
        #expect(output.contains("make demo: every step passed"))

        let database = "\(demo)/home/agent.db"
        #expect(try await payloads("telegram.unauthorized", database: database).first?["user_id"] as? Int == 2002)
        let exits = try await payloads("worker.exited", database: database)
        #expect(exits.filter { $0["signal"] as? Int == 9 }.count == 1, "the kill -9 is recorded")
        // The staged revision is the one promoted last, the one `/version` reported, and the one the output names.
        let promoted = try await payloads("revision.promoted", database: database)
        #expect(promoted.count == 2, "the first worker, then the staged update")
        let rev = try #require(promoted.last?["rev"] as? String)
        #expect(output.contains("promoted rev \(rev.prefix(12))"))
        let version = output.split(separator: "\n").first { $0.hasPrefix("    bot> agent-worker ") }
        #expect(version?.hasSuffix("rev \(rev.prefix(12))") == true, "/version after the deploy: \(version ?? "none")")
        #expect(try await payloads("update.deploy.completed", database: database).count == 1)
        #expect(try await payloads("update.deploy.started", database: database).count == 1, "one approval, one deploy")
        #expect(exits.filter { $0["reason"] as? String == "replaced" }.count == 1, "the deploy replaced one worker, the old one")

        // Nothing the demo started is left: the supervisor, every worker, the doubles.
        let pids = try await payloads("process.started", database: database).compactMap { $0["pid"] as? Int }
        #expect(pids.count >= 4, "the supervisor and three workers")
        for pid in pids {
            #expect(kill(pid_t(pid), 0) != 0, "process \(pid) of the demo is still running")
        }
        let doubles = try #require(output.firstMatch(of: #/Telegram double: (http://127\.0\.0\.1:\d+)/#)?.output.1)
        let probe = try await ProcessRunner.run(
            ProcessSpec(
                executable: "curl", arguments: ["--silent", "--max-time", "2", "--noproxy", "*", "\(doubles)/_double/sent"],
                environment: TestEnvironment.make()),
            timeout: .seconds(10))
        #expect(probe.status != .exited(0), "the doubles still answer at \(doubles)")
    }
}
