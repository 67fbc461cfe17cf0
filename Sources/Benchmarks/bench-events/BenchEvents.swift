import Events
import Foundation
import LogViewer
import ProcessControl
import TestSupport

/// `make bench` for the event store and agent-log: append throughput against the sqlite3 shell, `tail -f`
/// latency, and `tree` / `runs` on large databases. Prints `name: value` lines.
@main
struct BenchEvents {
    static let binaries = ProcessInfo.processInfo.environment["AGENT_BIN_DIR"] ?? ".build/release"

    static func main() async throws {
        let folder = TemporaryDirectory(prefix: "bench-events")
        // `bench-events append tail large` (the default) runs those parts, in that order.
        let parts = CommandLine.arguments.count > 1 ? Set(CommandLine.arguments.dropFirst()) : ["append", "tail", "large"]
        if parts.contains("append") { try await appendThroughput(in: folder) }
        if parts.contains("tail") { try await tailLatency(in: folder) }
        if parts.contains("large") { try await largeDatabase(in: folder) }
    }

    // MARK: Append throughput

    static func appendThroughput(in folder: TemporaryDirectory) async throws {
        let payload: JSONObject = ["update_id": 123_456, "chat_id": 42, "text": "a short message of a few words"]
        for (label, count, batch) in [("unbatched", 20_000, 1), ("batched", 200_000, 1000)] {
            let path = folder.file("append-\(label).db")
            let store = EventStore(database: try Database(path: path), identity: EventIdentity(source: .worker, rev: "bench"))
            let started = ContinuousClock.now
            if batch == 1 {
                for _ in 0..<count { try store.append("bench.appended", chat: 42, payload: payload) }
            } else {
                let events = Array(repeating: NewEvent("bench.appended", chat: 42, payload: payload), count: batch)
                for _ in 0..<(count / batch) { try store.append(batch: events) }
            }
            let ours = Double(count) / seconds(ContinuousClock.now - started)

            let baselinePath = folder.file("append-\(label)-sqlite3.db")
            _ = try Database(path: baselinePath)  // The same schema and indexes.
            let shell = try await sqliteShellInsert(
                into: baselinePath, count: count, batch: batch, payload: JSONValue.object(payload).serialized)
            report("append.\(label).events_per_s", String(format: "%.0f", ours))
            report("append.\(label).sqlite3_shell_events_per_s", String(format: "%.0f", shell))
            report("append.\(label).ratio_to_sqlite3_shell", String(format: "%.2f", ours / shell))
        }
    }

    /// Inserts the same rows through the `sqlite3` shell, `batch` rows per transaction; returns rows per second.
    static func sqliteShellInsert(into path: String, count: Int, batch: Int, payload: String) async throws -> Double {
        var script = "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\nPRAGMA foreign_keys = ON;\n"
        script += "PRAGMA wal_autocheckpoint = \(Database.walAutocheckpointPages);\n"  // The same settings as ours.
        let quoted = payload.replacingOccurrences(of: "'", with: "''")
        let insert =
            "INSERT INTO events (ts, kind, parent_id, source, pid, rev, instance, chat_id, level, payload, run_id) "
            + "VALUES (1795600000000, 'bench.appended', NULL, 'worker', 1, 'bench', NULL, 42, 'info', '\(quoted)', NULL);\n"
        for index in 0..<count {
            if batch > 1, index % batch == 0 { script += "BEGIN;\n" }
            script += insert
            if batch > 1, index % batch == batch - 1 { script += "COMMIT;\n" }
        }
        let scriptPath = path + ".sql"
        try script.write(toFile: scriptPath, atomically: false, encoding: .utf8)
        let started = ContinuousClock.now
        let result = try await ProcessRunner.run(
            ProcessSpec(executable: "sqlite3", arguments: [path, ".read \(scriptPath)"], environment: ProcessInfo.processInfo.environment))
        guard result.status.isSuccess else { throw BenchFailure("sqlite3 failed: \(result.standardError)") }
        return Double(count) / seconds(ContinuousClock.now - started)
    }

    // MARK: tail -f latency

    static func tailLatency(in folder: TemporaryDirectory) async throws {
        let path = folder.file("tail.db")
        let store = EventStore(database: try Database(path: path), identity: EventIdentity(source: .worker))
        try store.append("bench.seed")
        let follower = try ChildProcess.spawn(
            ProcessSpec(
                executable: "\(binaries)/agent-log", arguments: ["tail", "-f", "--json", "--kind", "bench.*", "--db", path],
                environment: ProcessInfo.processInfo.environment, standardOutput: .pipe))
        defer { follower.signal(SIGKILL) }
        let lines = LineCollector(follower.output!)
        guard await lines.next(timeout: .seconds(10)) != nil else { throw BenchFailure("agent-log tail -f printed nothing") }
        let count = 1000
        let writer = try ChildProcess.spawn(
            ProcessSpec(
                executable: "\(binaries)/event-writer",
                arguments: ["--db", path, "--count", "\(count)", "--interval-ms", "3", "--stamp-time", "--kind", "bench.followed"],
                environment: ProcessInfo.processInfo.environment))
        var latencies: [Double] = []
        while latencies.count < count, let line = await lines.next(timeout: .seconds(10)) {
            guard let sent = line.text.range(of: "\"sent_ns\":").map({ line.text[$0.upperBound...].prefix { $0.isNumber } }),
                let nanoseconds = Int64(sent)
            else { continue }
            latencies.append(Double(line.arrivedNanoseconds - nanoseconds) / 1e6)
        }
        _ = await writer.wait()
        guard latencies.count == count else { throw BenchFailure("tail -f printed \(latencies.count) of \(count) events") }
        latencies.sort()
        report("tail_follow.events", "\(count) (one every 3 ms from another process)")
        report("tail_follow.latency_p50_ms", String(format: "%.1f", percentile(latencies, 0.50)))
        report("tail_follow.latency_p99_ms", String(format: "%.1f", percentile(latencies, 0.99)))
        report("tail_follow.latency_max_ms", String(format: "%.1f", latencies.last!))
    }

    // MARK: tree and runs on large databases

    static func largeDatabase(in folder: TemporaryDirectory) async throws {
        let path = folder.file("large.db")
        let database = try Database(path: path)
        let runs = 100_000
        let eventsPerRun = 10
        let started = ContinuousClock.now
        var id: Int64 = 0
        for block in 0..<(runs / 1000) {
            try database.write { connection throws(EventsError) in
                for run in 0..<1000 {
                    let chat = Int64((block * 1000 + run) % 500)
                    id += 1
                    let runID = id
                    try insert(
                        connection, id: id, kind: "agent.started", parent: nil, run: runID, chat: chat,
                        payload: #"{"chat_id":\#(chat),"update_id":\#(id)}"#)
                    for _ in 0..<(eventsPerRun - 2) {
                        id += 1
                        try insert(
                            connection, id: id, kind: "model.completed", parent: runID, run: runID, chat: chat,
                            payload: #"{"input_tokens":120,"output_tokens":30,"model":"bench"}"#)
                    }
                    id += 1
                    try insert(
                        connection, id: id, kind: "agent.completed", parent: runID, run: runID, chat: chat,
                        payload: #"{"turns":8,"input_tokens":960,"output_tokens":240,"cost_usd":0.001}"#)
                }
            }
        }
        // One long run of 10,000 events: 1,428 turns of model call, tool call and their closings.
        let bigRun = id + 1
        try database.write { connection throws(EventsError) in
            id += 1
            try insert(connection, id: id, kind: "agent.started", parent: nil, run: bigRun, chat: 1, payload: "{}")
            var produced = 1
            while produced < 9_999 {
                id += 1
                let turn = id
                try insert(connection, id: turn, kind: "turn.started", parent: bigRun, run: bigRun, chat: 1, payload: #"{"n":1}"#)
                id += 1
                try insert(
                    connection, id: id, kind: "model.completed", parent: turn, run: bigRun, chat: 1,
                    payload: #"{"input_tokens":500,"output_tokens":50}"#)
                id += 1
                let tool = id
                try insert(
                    connection, id: tool, kind: "tool_call.started", parent: turn, run: bigRun, chat: 1, payload: #"{"tool":"read"}"#)
                id += 1
                try insert(
                    connection, id: id, kind: "tool_call.completed", parent: tool, run: bigRun, chat: 1, payload: #"{"exit_code":0}"#)
                id += 1
                try insert(connection, id: id, kind: "turn.completed", parent: turn, run: bigRun, chat: 1, payload: "{}")
                produced += 5
            }
            id += 1
            try insert(connection, id: id, kind: "agent.completed", parent: bigRun, run: bigRun, chat: 1, payload: #"{"turns":2000}"#)
        }
        report("large_db.events", "\(id) (\(runs + 1) runs; built in \(String(format: "%.1f", seconds(ContinuousClock.now - started))) s)")

        let subtree = try TreeLoader(database: database).entries(rootID: bigRun).count
        report("tree.run_events", "\(subtree)")
        let treeLibrary = try median(of: 7) {
            let root = EventTree.build(try TreeLoader(database: database).entries(rootID: bigRun))!
            _ = TreeRenderer.json(root)
        }
        report("tree.library_ms", String(format: "%.1f", treeLibrary * 1000))
        let treeProcess = try await medianProcess(["tree", "\(bigRun)", "--json", "--db", path])
        report("tree.agent_log_process_ms", String(format: "%.1f", treeProcess * 1000))

        let runsLibrary = try median(of: 5) { _ = try RunSummary.load(from: database, chatID: nil, limit: nil) }
        report("runs.all_100k.library_ms", String(format: "%.1f", runsLibrary * 1000))
        let runsProcess = try await medianProcess(["runs", "-n", "0", "--json", "--db", path])
        report("runs.all_100k.agent_log_process_ms", String(format: "%.1f", runsProcess * 1000))
        let runsNewest = try await medianProcess(["runs", "--db", path])
        report("runs.newest_20.agent_log_process_ms", String(format: "%.1f", runsNewest * 1000))
        let emptyProcess = try await medianProcess(["--help"])
        report("agent_log.startup_ms (--help)", String(format: "%.1f", emptyProcess * 1000))
    }

    static func insert(_ connection: Connection, id: Int64, kind: String, parent: Int64?, run: Int64, chat: Int64, payload: String)
        throws(EventsError)
    {
        try connection.execute(
            "INSERT INTO events (id, ts, kind, parent_id, run_id, source, pid, instance, chat_id, level, payload) VALUES (?, ?, ?, ?, ?, 'worker', 1, 1, ?, 'info', ?)",
            [.integer(id), .integer(1_795_600_000_000 + id), .text(kind), SQLValue(parent), .integer(run), .integer(chat), .text(payload)])
    }

    // MARK: Helpers

    static func medianProcess(_ arguments: [String]) async throws -> Double {
        var times: [Double] = []
        for _ in 0..<5 {
            let started = ContinuousClock.now
            let result = try await ProcessRunner.run(
                ProcessSpec(executable: "\(binaries)/agent-log", arguments: arguments, environment: ProcessInfo.processInfo.environment),
                outputLimit: 1024)
            times.append(seconds(ContinuousClock.now - started))
            guard result.status.isSuccess else { throw BenchFailure("agent-log \(arguments) failed: \(result.standardError)") }
        }
        return times.sorted()[times.count / 2]
    }

    static func median(of runs: Int, _ body: () throws -> Void) throws -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let started = ContinuousClock.now
            try body()
            times.append(seconds(ContinuousClock.now - started))
        }
        return times.sorted()[runs / 2]
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func report(_ name: String, _ value: String) {
        FileHandle.standardOutput.write(Data("\(name): \(value)\n".utf8))
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
