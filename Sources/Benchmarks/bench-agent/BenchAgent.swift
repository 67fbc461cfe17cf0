import Context
import Control
import Events
import Foundation
import ModelAdapter
import ProcessControl
import Settings
import Synchronization
import TestSupport
import Tools
import WorkerRuntime

/// `make bench` for the agent loop (issue 9), on the release build: the loop's own cost per turn (model and tool
/// time excluded), context assembly for a chat with 100,000 stored messages, and the worker's resident memory over
/// 1,000 runs of 5 turns. Prints `name: value` lines.
///
/// `bench-agent turns context memory` (the default) runs those parts, in that order.
@main
struct BenchAgent {
    static func main() async throws {
        let parts = CommandLine.arguments.count > 1 ? Set(CommandLine.arguments.dropFirst()) : ["turns", "context", "memory"]
        if parts.contains("turns") { try await turnOverhead() }
        if parts.contains("context") { try contextAssembly() }
        if parts.contains("memory") { try await memory() }
    }

    // MARK: Overhead per turn

    /// Runs of 10 turns, each asking for one `read`, against a model that answers at once, in process, on a real
    /// database and the real registry. The gap between two model calls is the tool call plus the loop's own work
    /// (events, stored messages, limit and progress checks); the tool's own time is measured beside it by calling
    /// the registry directly, and taken off.
    static func turnOverhead() async throws {
        let folder = TemporaryDirectory(prefix: "bench-agent")
        let workspace = folder.file("workspace")
        let home = folder.file("home")
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try String(repeating: "a line of the file to read\n", count: 200).write(
            toFile: workspace + "/notes.txt", atomically: true, encoding: .utf8)
        let policy = try ToolPolicy(
            environment: EnvironmentReader(["AGENT_WORKSPACE": workspace, "AGENT_HOME": home, "AGENT_TOOLS": "read"]))
        let registry = ToolRegistry(policy: policy, sandbox: SandboxStatus(state: .execDisabled, reason: "not needed"))
        let store = EventStore(database: try Database(path: home + "/agent.db"), identity: EventIdentity(source: .worker))
        let model = InstantModel(turnsPerRun: 10)
        let loop = AgentLoop(
            store: store, conversation: ConversationStore(database: store.database),
            caller: ModelCaller(client: model, breaker: CircuitBreaker(), clock: ContinuousClock()), registry: registry,
            prices: PriceTable(), model: "gpt-4o-mini")

        var toolTimes: [Double] = []
        for _ in 0..<2000 {
            let started = ContinuousClock.now
            _ = await registry.call("read", arguments: #"{"path": "notes.txt"}"#)
            toolTimes.append(milliseconds(.now - started))
        }
        toolTimes.sort()
        let tool = percentile(toolTimes, 0.5)

        let runs = 300
        for index in 0..<runs {
            let inbox = try store.database.write { connection throws(EventsError) in
                try connection.execute(
                    "INSERT INTO inbox (bot_id, update_id, chat_id, raw, received_at, updated_at) VALUES (1, ?, 1, '{}', 0, 0)",
                    [.integer(Int64(index))])
                return connection.lastInsertRowID
            }
            let span = try store.startRun(parent: nil, chat: 1)
            var state = AgentLoop.State(
                transcript: RunTranscript(), budget: RunBudget(limits: RunLimits(maxSteps: 100)), detector: ProgressDetector(k: 100))
            let run = AgentLoop.Run(
                span: span, chatID: 1, inboxID: inbox, context: [.system("bench"), .user("read it ten times")], text: "",
                startedAt: .now)
            _ = try await loop.run(run, state: &state)
        }
        // The first 50 runs warm the caches up; the gaps of the others are the samples.
        let gaps = model.gaps.dropFirst(50 * 9).map { $0 - tool }.sorted()
        report("agent_turn.runs", "\(runs) of 10 turns, one read each (the first 50 are warm-up)")
        report("agent_turn.tool_read_p50_ms", String(format: "%.3f", tool))
        report("agent_turn.overhead_p50_ms", String(format: "%.3f", percentile(gaps, 0.5)) + " (target < 1)")
        report("agent_turn.overhead_p99_ms", String(format: "%.3f", percentile(gaps, 0.99)))
    }

    /// A model that answers at once: a `read` call for the first turns of a run, then a text; it notes the time
    /// between the end of one call and the start of the next within a run.
    final class InstantModel: ModelClient {
        let turnsPerRun: Int
        private let state = Mutex<(calls: Int, lastReturn: ContinuousClock.Instant?, gaps: [Double])>((0, nil, []))

        init(turnsPerRun: Int) {
            self.turnsPerRun = turnsPerRun
        }

        var gaps: [Double] { state.withLock { $0.gaps } }

        func complete(_ request: CompletionRequest) async throws(ModelError) -> CompletionResponse {
            let now = ContinuousClock.now
            let turn = state.withLock { state -> Int in
                let turn = state.calls % turnsPerRun
                if turn > 0, let last = state.lastReturn { state.gaps.append(milliseconds(now - last)) }
                state.calls += 1
                return turn
            }
            let calls =
                turn < turnsPerRun - 1 ? [ToolCall(id: "call_\(turn)", name: "read", arguments: #"{"path": "notes.txt"}"#)] : []
            let response = CompletionResponse(
                text: calls.isEmpty ? "done" : nil, toolCalls: calls, finishReason: calls.isEmpty ? .stop : .toolCalls,
                inputTokens: 100, outputTokens: 10, cachedTokens: 0, model: "gpt-4o-mini", latency: .zero)
            state.withLock { $0.lastReturn = .now }
            return response
        }
    }

    // MARK: Context assembly

    /// A chat with 100,000 stored messages (tool exchanges among them): the history query, the compressor and the
    /// assembler, as a run starts.
    static func contextAssembly() throws {
        let folder = TemporaryDirectory(prefix: "bench-context")
        let database = try Database(path: folder.file("agent.db"))
        let conversation = ConversationStore(database: database)
        let call = ToolCall(id: "c", name: "read", arguments: #"{"path": "README.md"}"#)
        try database.write { connection throws(EventsError) in
            for index in 0..<100_000 {
                let message: StoredMessage =
                    switch index % 4 {
                    case 0: StoredMessage(id: 0, chatID: 7, role: "user", content: "question \(index)", ts: Int64(index))
                    case 1:
                        StoredMessage(
                            id: 0, chatID: 7, role: "assistant", content: "", toolCalls: StoredToolCalls.encode([call]), ts: Int64(index))
                    case 2:
                        StoredMessage(
                            id: 0, chatID: 7, role: "tool", content: String(repeating: "x", count: 3000), toolCallID: "c",
                            toolName: "read", ts: Int64(index))
                    default: StoredMessage(id: 0, chatID: 7, role: "assistant", content: "answer \(index)", ts: Int64(index))
                    }
                try conversation.append(message, inboxID: nil, in: connection)
                if index % 1000 == 0 {
                    try conversation.append(
                        StoredMessage(id: 0, chatID: Int64(1000 + index), role: "user", content: "other chat", ts: 0), inboxID: nil,
                        in: connection)
                }
            }
        }
        let assembler = ContextAssembler(home: folder.path)
        let compressor = TruncatingCompressor()
        var times: [Double] = []
        for _ in 0..<200 {
            let started = ContinuousClock.now
            let history = try conversation.history(chatID: 7, before: Int64.max, limit: 40)
            let assembled = assembler.assemble(history: compressor.compress(history), newMessage: "next")
            guard assembled.messages.count > 30 else { throw BenchFailure("short history: \(assembled.messages.count)") }
            times.append(milliseconds(.now - started))
        }
        times.sort()
        report("context_assembly.stored_messages", "100000 in the chat (40 in the history)")
        report("context_assembly.p50_ms", String(format: "%.3f", percentile(times, 0.5)) + " (target < 5)")
        report("context_assembly.p99_ms", String(format: "%.3f", percentile(times, 0.99)))
    }

    // MARK: Memory

    /// The release worker against the doubles: runs of 5 turns (4 `read` calls, then the answer), one chat at a
    /// time; resident memory after 200 warm-up runs and after 1,000 more.
    static func memory() async throws {
        let harness = try AgentHarness(openAIDefault: { body in
            let results = (body["messages"]?.arrayValue ?? []).reversed().prefix { $0["role"]?.stringValue != "user" }
            let inRun = results.filter { $0["role"] == "tool" }.count
            return inRun < 4
                ? .toolCalls([OpenAIToolCall(name: "read", arguments: #"{"path": "notes.txt"}"#)], usage: .automatic)
                : .text("read it \(inRun) times")
        })
        try String(repeating: "memory\n", count: 100).write(toFile: harness.workspace + "/notes.txt", atomically: true, encoding: .utf8)
        let worker = try harness.startWorker([
            "AGENT_SEND_PER_CHAT_PER_S": "100000", "AGENT_SEND_TOTAL_PER_S": "100000", "AGENT_LOG_LEVEL": "warning",
            "AGENT_HISTORY_MESSAGES": "10", "AGENT_NO_PROGRESS_K": "100",
        ])
        defer { worker.signal(SIGKILL) }
        func runs(_ count: Int, from start: Int) async throws {
            for index in start..<(start + count) {
                let chat = Int64(30_000 + index % 20)
                let before = harness.telegram.requests(for: "sendMessage").count
                harness.telegram.sendUserMessage(chatID: chat, userID: harness.userID, text: "run \(index)")
                guard await harness.telegram.waitForRequests("sendMessage", count: before + 1, timeout: .seconds(20)).count > before
                else { throw BenchFailure("run \(index) not answered; logs:\n\(harness.allLogs().suffix(2000))") }
            }
        }
        try await runs(200, from: 0)
        let warm = residentKilobytes(of: worker.pid)
        var series: [String] = []
        for round in 0..<5 {
            try await runs(200, from: 200 + round * 200)
            series.append(String(format: "%.1f", Double(residentKilobytes(of: worker.pid)) / 1024))
        }
        let after = residentKilobytes(of: worker.pid)
        let turns = harness.events("turn.started").count
        report("agent_memory.runs", "1200 of 5 turns (\(turns) turns in all), the first 200 are warm-up")
        report("agent_memory.rss_after_warmup_mb", String(format: "%.1f", Double(warm) / 1024))
        report("agent_memory.rss_every_200_runs_mb", series.joined(separator: " "))
        report("agent_memory.growth_mb", String(format: "%.1f", Double(after - warm) / 1024) + " (target < 5)")
    }

    // MARK: Helpers

    static func residentKilobytes(of pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func report(_ name: String, _ value: String) {
        FileHandle.standardOutput.write(Data("\(name): \(value)\n".utf8))
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
