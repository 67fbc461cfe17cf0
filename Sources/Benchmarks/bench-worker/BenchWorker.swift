import Events
import Foundation
import ProcessControl
import TestSupport

/// `make bench` for the worker and the supervisor (issue 4), on the release build in `AGENT_BIN_DIR`, against the
/// loopback doubles (the model double answers at once): the latency the system adds per message, throughput with
/// 100 chats writing at once, the worker's resident memory, and the time from `kill -9` of the worker to the next
/// worker's READY beyond the backoff. Prints `name: value` lines.
@main
struct BenchWorker {
    /// Telegram's sending limits would cap the figures at 30 messages/s: the benchmark lifts them (the doubles do not
    /// enforce them), to measure what the system itself can do.
    static let unthrottled = ["AGENT_SEND_PER_CHAT_PER_S": "100000", "AGENT_SEND_TOTAL_PER_S": "100000", "AGENT_LOG_LEVEL": "warning"]

    static func main() async throws {
        // `bench-worker latency supervised throughput kill` (the default) runs those parts, in that order.
        let parts =
            CommandLine.arguments.count > 1 ? Set(CommandLine.arguments.dropFirst()) : ["latency", "supervised", "throughput", "kill"]
        if parts.contains("latency") { try await latency() }
        if parts.contains("supervised") { try await supervised() }
        if parts.contains("throughput") { try await throughput() }
        if parts.contains("kill") { try await killToReady() }
    }

    // MARK: Latency and memory

    static func latency() async throws {
        let harness = try AgentHarness()
        let worker = try harness.startWorker(unthrottled.merging(["AGENT_TRACE_STAGES": "1"]) { $1 })
        defer { worker.signal(SIGKILL) }
        try await warmUp(harness)
        let idle = residentKilobytes(of: worker.pid)
        let latencies = try await messageLatencies(harness, count: 500)
        report("message_latency.messages", "500 (one at a time, one chat)")
        report("message_latency.p50_ms", String(format: "%.2f", percentile(latencies, 0.50)))
        report("message_latency.p99_ms", String(format: "%.2f", percentile(latencies, 0.99)))
        reportStages(harness.allLogs(), last: 500)

        // Memory: idle after start, then every 2,000 messages up to `BENCH_MEMORY_MESSAGES` (50,000; 100 chats at a
        // time); the growth that counts is from message 2,000 on (issue 12).
        let chats = 100
        let total = Int(ProcessInfo.processInfo.environment["BENCH_MEMORY_MESSAGES"] ?? "") ?? 50_000
        var expected = harness.telegram.requests(for: "sendMessage").count
        var series: [String] = []
        var at2000 = 0
        for round in 0..<(total / chats) {
            for chat in 0..<chats {
                harness.telegram.sendUserMessage(chatID: 10_000 + Int64(chat), userID: harness.userID, text: "memory \(round)")
            }
            expected += chats
            let got = await harness.telegram.waitForRequests("sendMessage", count: expected, timeout: .seconds(60)).count
            guard got == expected else { throw BenchFailure("memory run: \(got) of \(expected) answered") }
            if (round + 1) % 20 == 0 {
                let rss = residentKilobytes(of: worker.pid)
                if round + 1 == 20 { at2000 = rss }
                series.append(String(format: "%.1f", Double(rss) / 1024))
            }
        }
        let after = residentKilobytes(of: worker.pid)
        report("worker_rss.idle_mb", String(format: "%.1f", Double(idle) / 1024) + " (target < 40)")
        report("worker_rss.every_2000_messages_mb", series.joined(separator: " "))
        report("worker_rss.after_\(total)_messages_mb", String(format: "%.1f", Double(after) / 1024))
        report("worker_rss.growth_from_2000_mb", String(format: "%.1f", Double(after - at2000) / 1024) + " (target < 3)")
    }

    // MARK: Supervisor and worker

    /// The same latency with the worker under `supervisord-agent`, and the supervisor's resident memory once the
    /// worker serves and after the messages (issue 12: < 15 MB).
    static func supervised() async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor(unthrottled)
        defer { supervisor.signal(SIGKILL) }
        try await warmUp(harness)
        try await Task.sleep(for: .seconds(1))
        let idle = residentKilobytes(of: supervisor.pid)
        let latencies = try await messageLatencies(harness, count: 500)
        let after = residentKilobytes(of: supervisor.pid)
        let worker = harness.events("process.started").last { $0.source == "worker" }?.pid.map { pid_t($0) }
        report("supervised_latency.messages", "500 (one at a time, one chat, the release worker under supervisord-agent)")
        report("supervised_latency.p50_ms", String(format: "%.2f", percentile(latencies, 0.50)))
        report("supervised_latency.p99_ms", String(format: "%.2f", percentile(latencies, 0.99)))
        report("supervisor_rss.idle_mb", String(format: "%.1f", Double(idle) / 1024) + " (target < 15)")
        report("supervisor_rss.after_500_messages_mb", String(format: "%.1f", Double(after) / 1024))
        if let worker {
            report("supervised_worker_rss.after_500_messages_mb", String(format: "%.1f", Double(residentKilobytes(of: worker)) / 1024))
        }
    }

    /// Sends `count` messages one at a time and returns, sorted, the milliseconds from each message being available
    /// at the Telegram double to its reply's `sendMessage` arriving there.
    static func messageLatencies(_ harness: AgentHarness, count: Int) async throws -> [Double] {
        var latencies: [Double] = []
        for index in 0..<count {
            let before = harness.telegram.requests(for: "sendMessage").count
            let sentAt = Date()
            harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "latency \(index)")
            let records = await harness.telegram.waitForRequests("sendMessage", count: before + 1, timeout: .seconds(10))
            guard records.count == before + 1, let arrived = records.last?.receivedAt else {
                throw BenchFailure("message \(index) not answered")
            }
            latencies.append(arrived.timeIntervalSince(sentAt) * 1000)
        }
        return latencies.sorted()
    }

    // MARK: Throughput

    static func throughput() async throws {
        let harness = try AgentHarness()
        let allowed = (0..<100).map { String(20_000 + $0) }.joined(separator: ",")
        let worker = try harness.startWorker(unthrottled.merging(["TELEGRAM_ALLOWED_USER_IDS": allowed + ",\(harness.userID)"]) { $1 })
        defer { worker.signal(SIGKILL) }
        try await warmUp(harness)
        let base = harness.telegram.requests(for: "sendMessage").count
        let perChat = 20
        let total = 100 * perChat
        let started = Date()
        for round in 0..<perChat {
            for chat in 0..<100 {
                let id = Int64(20_000 + chat)
                harness.telegram.sendUserMessage(chatID: id, userID: id, text: "m\(round)")
            }
        }
        let got = await harness.telegram.waitForRequests("sendMessage", count: base + total, timeout: .seconds(120)).count - base
        let elapsed = Date().timeIntervalSince(started)
        guard got == total else { throw BenchFailure("throughput: \(got) of \(total) answered") }
        // Nothing lost, nothing doubled, each chat in order.
        for chat in 0..<100 {
            let texts = harness.telegram.sentMessages(chatID: Int64(20_000 + chat)).map(\.text)
            guard texts.count == perChat, zip(texts, 0..<perChat).allSatisfy({ $0.0.hasSuffix("m\($0.1)") }) else {
                throw BenchFailure("chat \(chat) got \(texts.count) replies, or out of order")
            }
        }
        report("throughput.messages", "\(total) (100 chats x \(perChat), all sent at once)")
        report("throughput.messages_per_s", String(format: "%.0f", Double(total) / elapsed))
    }

    // MARK: kill -9 to READY

    static func killToReady() async throws {
        let harness = try AgentHarness()
        let supervisor = try harness.startSupervisor(
            [
                "AGENT_BACKOFF_BASE_MS": "100", "AGENT_BACKOFF_MAX_S": "1", "AGENT_CRASH_MAX": "1000",
                "AGENT_CRASH_BEFORE_READY_MAX": "1000",
                "AGENT_LOG_LEVEL": "warning",
            ])
        defer { supervisor.signal(SIGKILL) }
        var beyondBackoff: [Double] = []
        for round in 1...10 {
            guard await harness.wait(timeout: .seconds(30), until: { harness.events("worker.ready").count == round }) else {
                throw BenchFailure("worker \(round) never became ready")
            }
            try await Task.sleep(for: .milliseconds(200))
            guard let pid = harness.events("process.started").last(where: { $0.source == "worker" })?.pid else {
                throw BenchFailure("no worker pid")
            }
            let killedAt = Int64(Date().timeIntervalSince1970 * 1000)
            kill(pid_t(pid), SIGKILL)
            guard await harness.wait(timeout: .seconds(30), until: { harness.events("worker.ready").count == round + 1 }) else {
                throw BenchFailure("no worker came back after kill \(round)")
            }
            let ready = harness.events("worker.ready").last!.ts
            let delay = harness.events("worker.restart_scheduled").last?.payloadObject?["delay_ms"]?.int64Value ?? 0
            beyondBackoff.append(Double(ready - killedAt - delay))
        }
        beyondBackoff.sort()
        report("kill_to_ready.rounds", "10 (release worker under supervisord-agent)")
        report("kill_to_ready.beyond_backoff_p50_ms", String(format: "%.0f", percentile(beyondBackoff, 0.5)))
        report("kill_to_ready.beyond_backoff_max_ms", String(format: "%.0f", beyondBackoff.last!))
    }

    /// The worker's `stage-trace` lines (StageTrace): the time each stage took, from the one before, p50 and p99.
    static func reportStages(_ logs: String, last count: Int) {
        let stages = ["stored", "dispatched", "model_called", "model_answered", "answer_stored", "sent"]
        let traces = logs.split(separator: "\n").filter { $0.hasPrefix("stage-trace ") }.suffix(count).map { line in
            Dictionary(
                line.split(separator: " ").dropFirst().compactMap { field -> (String, Double)? in
                    let parts = field.split(separator: "=")
                    guard parts.count == 2, let value = Double(parts[1]) else { return nil }
                    return (String(parts[0]), value)
                }, uniquingKeysWith: { first, _ in first })
        }
        report("message_stages.traced", "\(traces.count) messages, milliseconds from the previous stage (poll returned -> ...)")
        var previous = "polled"
        for stage in stages {
            let deltas = traces.compactMap { trace -> Double? in
                guard let end = trace[stage] else { return nil }
                return end - (previous == "polled" ? 0 : trace[previous] ?? end)
            }.sorted()
            if !deltas.isEmpty {
                report(
                    "message_stages.\(previous)_to_\(stage)_ms",
                    String(format: "p50 %.3f p99 %.3f", percentile(deltas, 0.5), percentile(deltas, 0.99)))
            }
            previous = stage
        }
        let totals = traces.compactMap { $0["sent"] }.sorted()
        if !totals.isEmpty {
            report(
                "message_stages.polled_to_sent_ms", String(format: "p50 %.3f p99 %.3f", percentile(totals, 0.5), percentile(totals, 0.99)))
        }
    }

    // MARK: Helpers

    static func warmUp(_ harness: AgentHarness) async throws {
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "warm up")
        guard await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(30)).count == 1 else {
            throw BenchFailure("the worker did not answer; logs:\n\(harness.allLogs())")
        }
    }

    static func residentKilobytes(of pid: pid_t) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func report(_ name: String, _ value: String) {
        FileHandle.standardOutput.write(Data("\(name): \(value)\n".utf8))
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
