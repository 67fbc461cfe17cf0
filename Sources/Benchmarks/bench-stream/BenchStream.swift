import Events
import Foundation
import ProcessControl
import TestSupport

/// `make bench` for streamed replies (issue 11), on the release worker in `AGENT_BIN_DIR`, against the loopback
/// doubles in this process: the OpenAI double streams 400 tokens at 20 tokens/s into a private chat, the Telegram
/// double records every draft. Prints `name: value` lines:
/// - the time from the first token leaving the double (its `firstTokenSentAt`, taken just before the write) to the
///   first draft arriving at the Telegram double (its `receivedAt`), one sample per run;
/// - drafts per second over the stream, the most in any one second and the shortest gap between two, against the
///   throttle (`AGENT_DRAFT_INTERVAL_MS`, 250: at most 4 a second); the rate is the gaps between the first and the
///   last draft of a run over the time between them;
/// - the worker's CPU time per streamed token: the CPU time of all its threads over the run, divided by the
///   tokens; beside it the same run unstreamed (`AGENT_STREAM=off`, one JSON body after the same 20 s), so that what
///   streaming itself costs is the difference.
///
/// `BENCH_STREAM_RUNS` (6) streamed runs after one warm-up, `BENCH_STREAM_BASELINE_RUNS` (2) unstreamed ones.
@main
struct BenchStream {
    static let tokens = 400
    static let tokensPerSecond = 20.0
    static let quiet = ["AGENT_LOG_LEVEL": "warning"]

    static func main() async throws {
        let environment = ProcessInfo.processInfo.environment
        let runs = Int(environment["BENCH_STREAM_RUNS"] ?? "") ?? 6
        let baselineRuns = Int(environment["BENCH_STREAM_BASELINE_RUNS"] ?? "") ?? 2
        let answer = (1...tokens).map { "w\($0)" }.joined(separator: " ")
        let streamSeconds = Double(tokens - 1) / tokensPerSecond

        let harness = try AgentHarness()
        let worker = try harness.startWorker(quiet)
        defer { worker.signal(SIGKILL) }
        // Warm-up: a short streamed answer (connections open, code paged in).
        harness.openAI.enqueue(.streamed(.text("warm up the worker"), OpenAIStream(tokensPerSecond: 50)))
        _ = try await ask(harness, worker: worker, "warm-up")

        var firstDraft: [Double] = []
        var rates: [Double] = []
        var busiestSecond = 0
        var shortestGap = Double.infinity
        var cpuPerToken: [Double] = []
        for index in 0..<runs {
            harness.openAI.enqueue(.streamed(.text(answer), OpenAIStream(tokensPerSecond: tokensPerSecond)))
            let requestsBefore = harness.openAI.requests.count
            let draftsBefore = harness.telegram.drafts(chatID: harness.userID).count
            let run = try await ask(harness, worker: worker, "stream \(index)")
            guard run.text == answer else { throw BenchFailure("run \(index): the reply is not the whole answer") }
            let request = harness.openAI.requests[requestsBefore]
            guard let firstToken = request.firstTokenSentAt, request.tokensSent == tokens else {
                throw BenchFailure("run \(index): the double did not stream the \(tokens) tokens")
            }
            let drafts = Array(harness.telegram.drafts(chatID: harness.userID).dropFirst(draftsBefore))
            guard let first = drafts.first, let last = drafts.last else { throw BenchFailure("run \(index): no draft") }
            firstDraft.append(first.receivedAt.timeIntervalSince(firstToken) * 1000)
            rates.append(Double(drafts.count - 1) / max(last.receivedAt.timeIntervalSince(first.receivedAt), 0.001))
            for start in drafts {
                let window = drafts.filter { $0.receivedAt >= start.receivedAt && $0.receivedAt.timeIntervalSince(start.receivedAt) < 1 }
                busiestSecond = max(busiestSecond, window.count)
            }
            for (earlier, later) in zip(drafts, drafts.dropFirst()) {
                shortestGap = min(shortestGap, later.receivedAt.timeIntervalSince(earlier.receivedAt) * 1000)
            }
            cpuPerToken.append(run.cpuMilliseconds * 1000 / Double(tokens))
        }
        let drafted = harness.events("reply.drafted").dropFirst().compactMap { $0.payloadObject?["first_draft_ms"]?.int64Value }
        let firstTokenInWorker = harness.events("model.completed").dropFirst().compactMap {
            $0.payloadObject?["first_token_ms"]?.int64Value
        }
        worker.signal(SIGKILL)
        _ = await worker.wait()

        // The same answer unstreamed, after the same time: what a run costs the worker without streaming.
        let plain = try AgentHarness()
        let plainWorker = try plain.startWorker(quiet.merging(["AGENT_STREAM": "off"]) { $1 })
        defer { plainWorker.signal(SIGKILL) }
        plain.openAI.enqueue(.text("warm up the worker"))
        _ = try await ask(plain, worker: plainWorker, "warm-up")
        var plainCPU: [Double] = []
        for index in 0..<baselineRuns {
            plain.openAI.enqueue(.delayed(.milliseconds(Int64(streamSeconds * 1000)), .text(answer)))
            let run = try await ask(plain, worker: plainWorker, "plain \(index)")
            guard run.text == answer else { throw BenchFailure("unstreamed run \(index): the reply is not the whole answer") }
            plainCPU.append(run.cpuMilliseconds * 1000 / Double(tokens))
        }

        firstDraft.sort()
        report("stream.runs", "\(runs) of \(tokens) tokens at \(Int(tokensPerSecond)) tokens/s (after one warm-up), one private chat")
        report(
            "stream.first_token_to_first_draft_ms",
            String(format: "p50 %.1f, max %.1f (target p50 < 50); all: ", percentile(firstDraft, 0.5), firstDraft.last ?? .nan)
                + format(firstDraft))
        report("stream.worker_first_token_ms", firstTokenInWorker.map(String.init).joined(separator: " "))
        report("stream.worker_first_draft_ms", drafted.map(String.init).joined(separator: " "))
        report(
            "stream.drafts_per_s",
            String(
                format: "mean %.2f (min %.2f); at most %d in any 1 s; shortest gap %.0f ms (throttle: 4/s, 250 ms)",
                rates.reduce(0, +) / Double(max(rates.count, 1)), rates.min() ?? .nan, busiestSecond, shortestGap))
        let streamed = median(cpuPerToken)
        let unstreamed = median(plainCPU)
        report("stream.worker_cpu_us_per_token", String(format: "%.1f (runs: ", streamed) + format(cpuPerToken) + ")")
        report("stream.worker_cpu_us_per_token_unstreamed", String(format: "%.1f (runs: ", unstreamed) + format(plainCPU) + ")")
        report("stream.worker_cpu_us_per_token_for_streaming", String(format: "%.1f", streamed - unstreamed))
    }

    struct Run {
        let text: String
        let cpuMilliseconds: Double
    }

    /// Sends `text` to the worker, waits for its one reply, and measures the worker's CPU time over the run.
    static func ask(_ harness: AgentHarness, worker: ChildProcess, _ text: String) async throws -> Run {
        let before = harness.telegram.sentMessages(chatID: harness.userID).count
        let cpuBefore = cpuMilliseconds(of: worker.pid)
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: text)
        let sent = await harness.telegram.waitForSentMessages(count: before + 1, chatID: harness.userID, timeout: .seconds(60))
        guard sent.count > before else { throw BenchFailure("\(text): no reply; logs:\n\(harness.allLogs().suffix(2000))") }
        // The sender marks the row sent after the call returns: wait for that, so the run's CPU is whole.
        let runs = harness.events("agent.completed").count
        _ = await harness.wait(timeout: .seconds(5)) { harness.events("reply.sent").count >= runs }
        return Run(text: sent[before].text, cpuMilliseconds: cpuMilliseconds(of: worker.pid) - cpuBefore)
    }

    /// The CPU time of every thread of `pid` so far: the sum of `/proc/PID/task/*/schedstat` (nanoseconds on CPU).
    static func cpuMilliseconds(of pid: pid_t) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var nanoseconds = 0.0
        for task in tasks {
            let line = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8)) ?? ""
            nanoseconds += Double(line.split(separator: " ").first ?? "0") ?? 0
        }
        return nanoseconds / 1e6
    }

    static func median(_ values: [Double]) -> Double { percentile(values.sorted(), 0.5) }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func format(_ values: [Double]) -> String { values.map { String(format: "%.1f", $0) }.joined(separator: " ") }

    static func report(_ name: String, _ value: String) {
        FileHandle.standardOutput.write(Data("\(name): \(value)\n".utf8))
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
