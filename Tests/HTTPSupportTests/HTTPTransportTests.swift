import Foundation
import HTTPSupport
import Synchronization
import TestSupport
import Testing

/// The transport both clients use, against a loopback server whose answers each test scripts.
@Suite("HTTP transport", .timeLimit(.minutes(1)))
struct HTTPTransportTests {
    /// A server that answers every request with `reply`, after `delay`; it counts the requests.
    final class Server: Sendable {
        let server: LoopbackHTTPServer
        private let counter: Counter

        final class Counter: Sendable {
            let value = Mutex(0)
        }

        init(delay: Duration = .zero, reply: @escaping @Sendable (TestSupport.HTTPRequest) -> HTTPReply) throws {
            let counter = Counter()
            self.counter = counter
            server = try LoopbackHTTPServer { request in
                counter.value.withLock { $0 += 1 }
                if delay > .zero {
                    Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
                }
                return reply(request)
            }
        }

        var url: String { "http://127.0.0.1:\(server.port)/path" }
        var requests: Int { counter.value.withLock { $0 } }
        deinit { server.stop() }
    }

    @Test("a whole answer: status, headers lowercased, body; the request's method, headers and body arrive")
    func wholeAnswer() async throws {
        let server = try Server { request in
            HTTPReply(
                status: 201, headers: [("X-Echo", request.header("X-Test") ?? ""), ("Set-Cookie", "a"), ("Set-Cookie", "b")],
                body: Array("\(request.method) \(String(decoding: request.body, as: UTF8.self))".utf8))
        }
        let outcome = await HTTPTransport().perform(
            HTTPSupport.HTTPRequest(method: "POST", url: server.url, headers: [("X-Test", "yes")], body: Array("{}".utf8)),
            deadline: .seconds(5))
        guard case .response(let status, let headers, let body) = outcome else {
            Issue.record("no response: \(outcome)")
            return
        }
        #expect(status == 201)
        #expect(headers["x-echo"] == "yes")
        #expect(headers["set-cookie"] == "a, b")
        #expect(String(decoding: body, as: UTF8.self) == "POST {}")
    }

    @Test("a POST with an empty body sends an empty body (never standard input)")
    func emptyPost() async throws {
        let server = try Server { request in HTTPReply(status: 200, body: Array("\(request.body.count)".utf8)) }
        guard
            case .response(_, _, let body) = await HTTPTransport().perform(
                HTTPSupport.HTTPRequest(method: "POST", url: server.url), deadline: .seconds(5))
        else {
            Issue.record("no response")
            return
        }
        #expect(String(decoding: body, as: UTF8.self) == "0")
    }

    @Test("the deadline ends a slow answer; cancellation ends a held one at once")
    func deadlineAndCancellation() async throws {
        let server = try Server(delay: .seconds(3)) { _ in HTTPReply(status: 200) }
        let transport = HTTPTransport()
        let start = ContinuousClock.now
        guard case .timedOut = await transport.perform(HTTPSupport.HTTPRequest(url: server.url), deadline: .milliseconds(300)) else {
            Issue.record("not timed out")
            return
        }
        #expect(ContinuousClock.now - start < .seconds(2))
        let call = Task { await transport.perform(HTTPSupport.HTTPRequest(url: server.url), deadline: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(200))
        let cancelledAt = ContinuousClock.now
        call.cancel()
        guard case .cancelled = await call.value else {
            Issue.record("not cancelled")
            return
        }
        #expect(ContinuousClock.now - cancelledAt < .milliseconds(500))
    }

    @Test("nobody listening is a failure to connect, in words without the URL")
    func nobodyListening() async throws {
        let port = try { () throws -> Int in
            let server = try Server { _ in HTTPReply(status: 200) }
            return server.server.port
        }()
        let url = "http://127.0.0.1:\(port)/secret-token-path"
        guard case .failed(let failure) = await HTTPTransport().perform(HTTPSupport.HTTPRequest(url: url), deadline: .seconds(5)) else {
            Issue.record("not failed")
            return
        }
        #expect(failure.kind == .cannotConnect)
        #expect(!failure.description.contains("secret-token-path"))
    }

    @Test("a stream: the head once, the bytes as they come; silence past the idle timeout ends it")
    func stream() async throws {
        let server = try Server { _ in
            HTTPReply(status: 200, headers: [("Content-Type", "text/event-stream")], body: Array("data: 1\n\n".utf8))
        }
        let heads = Mutex<[Int]>([])
        let received = Mutex(Data())
        let outcome = await HTTPTransport().stream(
            HTTPSupport.HTTPRequest(url: server.url), idleTimeout: .seconds(5),
            receiver: HTTPTransport.Receiver(
                head: { status, _ in heads.withLock { $0.append(status) } },
                bytes: { data in
                    received.withLock { $0.append(data) }
                    return true
                }))
        #expect(outcome == .completed)
        #expect(heads.withLock { $0 } == [200])
        #expect(String(decoding: received.withLock { $0 }, as: UTF8.self) == "data: 1\n\n")

        let silent = try Server(delay: .seconds(3)) { _ in HTTPReply(status: 200) }
        let start = ContinuousClock.now
        let timedOut = await HTTPTransport().stream(
            HTTPSupport.HTTPRequest(url: silent.url), idleTimeout: .milliseconds(400),
            receiver: HTTPTransport.Receiver(head: { _, _ in }, bytes: { _ in true }))
        #expect(timedOut == .timedOut)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test("a thousand requests one after the other on one transport all succeed")
    func reuse() async throws {
        let server = try Server { _ in HTTPReply(status: 200, body: Array("ok".utf8)) }
        let transport = HTTPTransport()
        for _ in 0..<1000 {
            guard case .response(200, _, _) = await transport.perform(HTTPSupport.HTTPRequest(url: server.url), deadline: .seconds(5))
            else {
                Issue.record("a request failed")
                return
            }
        }
        #expect(server.requests == 1000)
    }
}
