import ArgumentParser
import Foundation
import ModelAdapter
import Telegram
import TestSupport

/// The clients and doubles benchmark (`make bench`): the time a client call takes against a double, each beside the
/// same exchange over a raw socket made just before it (the difference of each pair is the client's overhead), and
/// the requests per second each double sustains over several keep-alive connections. Prints `name: value` lines.
@main
struct BenchClients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-clients", abstract: "Client overhead per call and double throughput, as name: value lines.")

    @Option(help: "Sequential calls per latency measurement.")
    var calls = 2000

    @Option(help: "Seconds of load per throughput measurement.")
    var seconds = 3.0

    @Option(help: "Keep-alive connections (one thread each) per throughput measurement.")
    var connections = 4

    func run() async throws {
        let telegram = try TelegramDouble()
        let openAI = try OpenAIDouble()
        defer {
            telegram.stop()
            openAI.stop()
        }
        let telegramBody = #"{"chat_id":1,"text":"benchmark message"}"#
        let openAIBody = OpenAIWorkload.body

        let client = TelegramClient(configuration: TelegramConfiguration(token: "1:bench", apiBase: URL(string: telegram.apiBase)!))
        let telegramRaw = RawHTTPClient(port: telegram.port)
        let telegramPairs = try await Self.pairs(calls) {
            _ = try await client.sendMessage(chatID: 1, text: "benchmark message")
        } raw: {
            try Self.expectOK(telegramRaw.send("POST", "/bot1:bench/sendMessage", json: telegramBody))
        }
        Self.report("telegram_client_sendMessage", telegramPairs)

        let model = OpenAIChatClient(configuration: OpenAIConfiguration(apiKey: "sk-bench", baseURL: URL(string: openAI.baseURL)!))
        let openAIRaw = RawHTTPClient(port: openAI.port)
        let openAIPairs = try await Self.pairs(calls) {
            _ = try await model.complete(OpenAIWorkload.request)
        } raw: {
            try Self.expectOK(
                openAIRaw.send("POST", "/v1/chat/completions", json: openAIBody, headers: ["Authorization": "Bearer sk-bench"]))
        }
        Self.report("openai_client_complete", openAIPairs)

        let telegramRate = Self.throughput(
            seconds: seconds, connections: connections, port: telegram.port, target: "/bot1:bench/sendMessage", body: telegramBody)
        print("telegram_double_sendMessage_rps: \(Int(telegramRate))")
        let openAIRate = Self.throughput(
            seconds: seconds, connections: connections, port: openAI.port, target: "/v1/chat/completions", body: openAIBody,
            headers: ["Authorization": "Bearer sk-bench"])
        print("openai_double_completion_rps: \(Int(openAIRate))")
        let violations = telegram.violations.count + openAI.violations.count
        print("spec_violations: \(violations)")
        if violations > 0 { throw ExitCode(1) }
    }

    /// Timings in microseconds of `count` pairs, the raw exchange then the client call (after 100 pairs to warm up).
    struct Pairs {
        var client: [Double] = []
        var raw: [Double] = []
        var overhead: [Double] = []
    }

    static func pairs(_ count: Int, client: () async throws -> Void, raw: () throws -> Void) async throws -> Pairs {
        let clock = ContinuousClock()
        var pairs = Pairs()
        for index in 0..<(count + 100) {
            let rawStart = clock.now
            try raw()
            let clientStart = clock.now
            try await client()
            let end = clock.now
            guard index >= 100 else { continue }
            pairs.raw.append(microseconds(clientStart - rawStart))
            pairs.client.append(microseconds(end - clientStart))
            pairs.overhead.append(microseconds((end - clientStart) - (clientStart - rawStart)))
        }
        pairs.client.sort()
        pairs.raw.sort()
        pairs.overhead.sort()
        return pairs
    }

    static func expectOK(_ response: RawHTTPClient.Response) throws {
        guard response.status == 200 else { throw ValidationError("status \(response.status): \(response.text)") }
    }

    /// Requests per second over `connections` keep-alive connections, each driven by its own thread.
    static func throughput(seconds: Double, connections: Int, port: Int, target: String, body: String, headers: [String: String] = [:])
        -> Double
    {
        let deadline = Date().addingTimeInterval(seconds)
        let group = DispatchGroup()
        let counts = Counts()
        let start = Date()
        for _ in 0..<connections {
            group.enter()
            let thread = Thread {
                let client = RawHTTPClient(port: port)
                var done = 0
                while Date() < deadline {
                    guard let response = try? client.send("POST", target, json: body, headers: headers), response.status == 200 else {
                        break
                    }
                    done += 1
                }
                counts.add(done)
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return Double(counts.total) / Date().timeIntervalSince(start)
    }

    /// Request totals of the load threads.
    final class Counts: @unchecked Sendable {
        // `lock` guards `sum`.
        private let lock = NSLock()
        private var sum = 0

        func add(_ count: Int) { lock.withLock { sum += count } }
        var total: Int { lock.withLock { sum } }
    }

    static func report(_ name: String, _ pairs: Pairs) {
        print("\(name)_p50_us: \(Int(percentile(pairs.client, 0.50)))")
        print("\(name)_p99_us: \(Int(percentile(pairs.client, 0.99)))")
        print("\(name)_raw_socket_p50_us: \(Int(percentile(pairs.raw, 0.50)))")
        print("\(name)_raw_socket_p99_us: \(Int(percentile(pairs.raw, 0.99)))")
        print("\(name)_overhead_p50_us: \(Int(percentile(pairs.overhead, 0.50)))")
        print("\(name)_overhead_p99_us: \(Int(percentile(pairs.overhead, 0.99)))")
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }
}
