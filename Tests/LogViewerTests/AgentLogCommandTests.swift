import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// `agent-log` run as a child process, as a person or a script would run it.
@Suite("agent-log", .timeLimit(.minutes(2)))
struct AgentLogCommandTests {
    let folder = TemporaryDirectory()
    var databasePath: String { folder.file("agent.db") }

    func agentLog(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-log"), arguments: arguments,
                environment: TestEnvironment.make(environment)),
            timeout: .seconds(30))
    }

    func makeStore() throws -> EventStore {
        EventStore(database: try Database(path: databasePath), identity: EventIdentity(source: .worker, instance: 3))
    }

    @Test("tail prints one line per event, oldest first, the newest -n of them")
    func tailText() async throws {
        let store = try makeStore()
        for index in 0..<30 { try store.append("test.line", chat: 5, payload: ["i": .int(Int64(index))]) }
        let result = try await agentLog(["tail", "--db", databasePath])
        #expect(result.status == .exited(0))
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 20)
        #expect(lines.first?.contains("#11") == true)
        #expect(lines.last?.contains("#30") == true)
        #expect(lines.last?.contains("worker#3") == true)
        #expect(lines.last?.contains("chat=5") == true)
        #expect(!result.standardOutput.contains("\u{1B}["))
    }

    @Test("tail --json prints the events columns with the payload as an object")
    func tailJSON() async throws {
        let store = try makeStore()
        try store.append("test.json", chat: 9, level: .warn, payload: ["a": 1])
        try store.database.execute(
            "INSERT INTO events (ts, kind, source, level, payload) VALUES (5, 'test.foreign', 'build', 'info', 'not json')")
        let result = try await agentLog(["tail", "--json", "--db", databasePath])
        #expect(result.status == .exited(0))
        let objects = try result.standardOutput.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 2)
        let keys: Set<String> = [
            "id", "ts", "kind", "parent_id", "run_id", "source", "pid", "rev", "instance", "chat_id", "level", "payload",
        ]
        #expect(Set(objects[0].keys) == keys)
        #expect(objects[0]["chat_id"] as? Int == 9)
        #expect(objects[0]["level"] as? String == "warn")
        #expect((objects[0]["payload"] as? [String: Any])?["a"] as? Int == 1)
        #expect(objects[0]["parent_id"] is NSNull)
        let foreign = try #require(objects[1]["payload"] as? [String: Any])
        #expect(foreign["raw"] as? String == "not json")
        #expect(foreign["payload_invalid"] as? Bool == true)
    }

    @Test("filters: --kind glob, --chat, --run, --since id and duration")
    func filters() async throws {
        let store = try makeStore()
        let run = try store.startRun(parent: nil, chat: 1)
        try run.event("model.completed")
        try store.append("telegram.unauthorized", chat: 2, payload: ["user_id": 66, "chat_id": 2])
        try run.complete()

        func ids(_ arguments: [String]) async throws -> [Int] {
            let result = try await agentLog(["tail", "--json", "--db", databasePath] + arguments)
            return result.standardOutput.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? Int
            }
        }
        #expect(try await ids(["--kind", "agent.*"]) == [1, 4])
        #expect(try await ids(["--kind", "telegram.unauthorized"]) == [3])
        #expect(try await ids(["--chat", "2"]) == [3])
        #expect(try await ids(["--run", "1"]) == [1, 2, 4])
        #expect(try await ids(["--since", "3"]) == [3, 4])
        #expect(try await ids(["--since", "1h"]) == [1, 2, 3, 4])
        #expect(try await ids(["-n", "1"]) == [4])
        let none = try await agentLog(["tail", "-n", "0", "--db", databasePath])
        #expect(none.status == .exited(0))
        #expect(none.standardOutput.isEmpty)
    }

    @Test("tail -f prints events appended by another process within 500 ms, each exactly once")
    func followAcrossProcesses() async throws {
        let store = try makeStore()
        try store.append("test.seed")
        let follower = try ChildProcess.spawn(
            ProcessSpec(
                executable: Executables.path("agent-log"),
                arguments: ["tail", "-f", "--json", "--kind", "test.*", "--db", databasePath],
                environment: TestEnvironment.make(), standardOutput: .pipe))
        defer { follower.signal(SIGKILL) }
        let lines = LineCollector(follower.output!)
        #expect(await lines.next(timeout: .seconds(10))?.text.contains("test.seed") == true)

        let writer = try ChildProcess.spawn(
            ProcessSpec(
                executable: Executables.path("event-writer"),
                arguments: ["--db", databasePath, "--count", "40", "--interval-ms", "20", "--stamp-time", "--kind", "test.followed"],
                environment: TestEnvironment.make()))
        var seen: [Int64] = []
        while seen.count < 40, let line = await lines.next(timeout: .seconds(5)) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.text.utf8)) as? [String: Any])
            let payload = try #require(object["payload"] as? [String: Any])
            seen.append(Int64(try #require(payload["seq"] as? Int)))
            let latency = line.arrivedNanoseconds - Int64(try #require(payload["sent_ns"] as? Int))
            #expect(latency < 500_000_000, "event \(seen.last!) printed \(latency / 1_000_000) ms after it was written")
        }
        #expect(await writer.wait() == .exited(0))
        #expect(seen == Array(0..<40).map(Int64.init))
        try store.append("other.ignored")  // Not matching the glob: must not be printed.
        #expect(await lines.next(timeout: .milliseconds(300)) == nil, "a line was printed twice or a filtered one leaked")
    }

    @Test("tree --json nests children with duration_ms and unfinished; text shows the same tree")
    func treeJSON() async throws {
        let store = try makeStore()
        let process = try store.startSpan("process", parent: nil)
        let run = try store.startRun(parent: process.id, chat: 1)
        try run.child("turn").complete()
        let result = try await agentLog(["tree", "\(process.id)", "--json", "--db", databasePath])
        #expect(result.status == .exited(0))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(root["kind"] as? String == "process.started")
        #expect(root["unfinished"] as? Bool == true)
        #expect(root["duration_ms"] is NSNull)
        let runNode = try #require((root["children"] as? [[String: Any]])?.first)
        #expect(runNode["run_id"] as? Int == Int(run.id))
        let turn = try #require((runNode["children"] as? [[String: Any]])?.first)
        #expect(turn["unfinished"] as? Bool == false)
        #expect(turn["duration_ms"] is Int)
        let closing = try #require((turn["children"] as? [[String: Any]])?.first)
        #expect(closing["kind"] as? String == "turn.completed")
        #expect(closing["duration_ms"] is NSNull)
        #expect(closing["unfinished"] as? Bool == false)

        let lastRun = try await agentLog(["tree", "--last-run", "--db", databasePath])
        #expect(lastRun.standardOutput.hasPrefix("#2 agent.started"))
        #expect(lastRun.standardOutput.contains("└─ #3 turn.started"))
    }

    @Test("runs and usage summarise agent runs and model calls")
    func runsAndUsage() async throws {
        let store = try makeStore()
        let run = try store.startRun(parent: nil, chat: 42)
        try run.event(
            "model.completed",
            payload: ["model": "gpt-x", "input_tokens": 300, "output_tokens": 40, "cached_tokens": 100, "cost_usd": 0.002])
        try run.event("model.completed", payload: ["model": "gpt-x", "input_tokens": nil, "output_tokens": nil])
        try run.complete(["turns": 2, "input_tokens": 300, "output_tokens": 40, "cost_usd": 0.002, "usage_complete": false])
        let failed = try store.startRun(parent: nil, chat: 43)
        try failed.fail(["reason": "max_steps"])

        let runs = try await agentLog(["runs", "--json", "--db", databasePath])
        #expect(runs.status == .exited(0))
        let objects = runs.standardOutput.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.map { $0["status"] as? String } == ["failed", "completed"])
        #expect(objects[1]["turns"] as? Int == 2)
        #expect(objects[1]["input_tokens"] as? Int == 300)
        #expect(objects[0]["reason"] as? String == "max_steps")
        let table = try await agentLog(["runs", "--chat", "42", "--db", databasePath])
        #expect(table.standardOutput.split(separator: "\n").count == 2)
        #expect(table.standardOutput.contains("completed"))

        let usage = try await agentLog(["usage", "--by", "model", "--json", "--db", databasePath])
        let row = try #require(try JSONSerialization.jsonObject(with: Data(usage.standardOutput.utf8)) as? [String: Any])
        #expect(row["model"] as? String == "gpt-x")
        #expect(row["calls"] as? Int == 2)
        #expect(row["input_tokens"] as? Int == 300)
        #expect(row["cached_tokens"] as? Int == 100)
        #expect(row["calls_without_usage"] as? Int == 1)
        let sinceFirstCall = try await agentLog(["usage", "--json", "--since", "3", "--db", databasePath])
        #expect(sinceFirstCall.standardOutput.contains("\"calls\":1"))
        let byChat = try await agentLog(["usage", "--by", "chat", "--db", databasePath])
        #expect(byChat.standardOutput.contains("42"))
        #expect(byChat.standardOutput.contains("total"))
    }

    @Test("exit codes: 1 for nothing found, 2 for bad usage; a missing database is one line")
    func exitCodes() async throws {
        let missing = try await agentLog(["tail", "--db", folder.file("none.db")])
        #expect(missing.status == .exited(1))
        #expect(missing.standardError == "agent-log: no database at \(folder.file("none.db")) (set AGENT_DB or AGENT_HOME)\n")
        #expect(!FileManager.default.fileExists(atPath: folder.file("none.db")))

        let fromEnvironment = try await agentLog(["runs"], environment: ["AGENT_HOME": folder.file("home")])
        #expect(fromEnvironment.status == .exited(1))
        #expect(fromEnvironment.standardError.contains(folder.file("home/agent.db")))

        let store = try makeStore()
        try store.append("test.only")
        for arguments in [["tail", "--kind", "no.such_kind"], ["tree", "999"], ["runs"], ["usage"], ["tree", "--last-run"]] {
            let result = try await agentLog(arguments + ["--db", databasePath])
            #expect(result.status == .exited(1), "\(arguments)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(arguments)")
        }
        for arguments in [
            ["tail", "--bogus"], ["tail", "--since", "yesterday"], ["tail", "-n", "-3"], ["usage", "--by", "week"],
            ["tree", "1", "--last-run"], ["nonsense"],
        ] {
            let result = try await agentLog(arguments + ["--db", databasePath])
            #expect(result.status == .exited(2), "\(arguments)")
        }
        let help = try await agentLog(["--help"])
        #expect(help.status == .exited(0))
        #expect(help.standardOutput.contains("tail"))
    }

    @Test("a database of a newer major schema is refused in one line, and agent-log never migrates")
    func newerMajor() async throws {
        let database = try Database(path: databasePath)
        try database.execute("PRAGMA user_version = 9000")
        let result = try await agentLog(["tail", "--db", databasePath])
        #expect(result.status == .exited(1))
        #expect(result.standardError.contains("newer than"))
        #expect(try database.query("PRAGMA user_version").first?[0].int64 == 9000)
    }

    @Test("colours only on a terminal, and never with NO_COLOR")
    func colours() async throws {
        let store = try makeStore()
        try store.append("test.failed", level: .error)
        let command = "\(Executables.path("agent-log")) tail --db \(databasePath)"
        // `script` gives the command a pseudo-terminal as its standard output.
        let onTerminal = try await ProcessRunner.run(
            ProcessSpec(executable: "script", arguments: ["-qec", command, "/dev/null"], environment: TestEnvironment.make()))
        #expect(onTerminal.standardOutput.contains("\u{1B}[31mtest.failed"))
        let noColor = try await ProcessRunner.run(
            ProcessSpec(
                executable: "script", arguments: ["-qec", command, "/dev/null"], environment: TestEnvironment.make(["NO_COLOR": "1"])))
        #expect(noColor.standardOutput.contains("test.failed"))
        #expect(!noColor.standardOutput.contains("\u{1B}["))
        let piped = try await agentLog(["tail", "--db", databasePath])
        #expect(!piped.standardOutput.contains("\u{1B}["))
    }
}
