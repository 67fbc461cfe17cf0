import Control
import Events
import Foundation
import ModelAdapter
import Synchronization
import TestSupport
import Testing

/// Collects the deltas of a streamed call, with the time each arrived.
final class DeltaLog: Sendable {
    private let entries = Mutex<[(delta: CompletionDelta, at: ContinuousClock.Instant)]>([])

    var deltas: [CompletionDelta] { entries.withLock { $0.map(\.delta) } }
    var times: [ContinuousClock.Instant] { entries.withLock { $0.map(\.at) } }
    var text: String {
        deltas.map { if case .text(let piece) = $0 { piece } else { "" } }.joined()
    }

    var callback: @Sendable (CompletionDelta) -> Void {
        { [self] delta in entries.withLock { $0.append((delta, .now)) } }
    }
}

@Suite("Streamed completions", .timeLimit(.minutes(2)))
struct StreamingTests {
    static let words = (1...20).map { "word\($0)" }.joined(separator: " ")

    @Test("text deltas arrive as they are written; the same answer comes out at the end, with usage and first-token latency")
    func textStreams() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(
            .streamed(.text(Self.words, usage: .exact(prompt: 50, completion: 20, cached: 10)), OpenAIStream(tokensPerSecond: 50)))
        let log = DeltaLog()
        let start = ContinuousClock.now
        let response = try await harness.client.stream(OpenAIHarness.request([.user("count")]), onDelta: log.callback)
        let end = ContinuousClock.now
        #expect(response.text == Self.words)
        #expect(log.text == Self.words)
        #expect(log.deltas.count == 20)
        #expect(response.streamed)
        #expect(response.finishReason == .stop)
        #expect(response.inputTokens == 50 && response.outputTokens == 20 && response.cachedTokens == 10)
        let firstToken = try #require(response.firstTokenLatency)
        #expect(firstToken < .milliseconds(300), "\(firstToken)")
        // 20 tokens at 50/s take 0.38 s: the first delta came long before the end.
        let first = try #require(log.times.first)
        #expect(end - first >= .milliseconds(250), "deltas were not delivered as they arrived")
        #expect(end - start < .seconds(3))
        let sent = try #require(harness.double.requests.first)
        #expect(sent.body["stream"] == true)
        #expect(sent.body["stream_options"] == ["include_usage": true])
        #expect(harness.double.violations.isEmpty, "\(harness.double.violations)")
    }

    @Test("two tool calls whose arguments arrive in many fragments are assembled exactly, by index")
    func toolCallFragments() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        let grep = #"{"pattern":"TODO","path":"Sources/","glob":"*.swift","ignore_case":true}"#
        let read = #"{"path":"README.md","offset":3}"#
        harness.double.enqueue(
            .streamed(
                .toolCalls(
                    [
                        OpenAIToolCall(id: "call_grep", name: "grep", arguments: grep),
                        OpenAIToolCall(id: "call_read", name: "read", arguments: read),
                    ],
                    text: "Let me look."),
                OpenAIStream(argumentPieceSize: 3)))
        let log = DeltaLog()
        let response = try await harness.client.stream(
            OpenAIHarness.request([.user("find")], tools: OpenAIHarness.tools), onDelta: log.callback)
        #expect(
            response.toolCalls == [
                ToolCall(id: "call_grep", name: "grep", arguments: grep), ToolCall(id: "call_read", name: "read", arguments: read),
            ])
        #expect(response.finishReason == .toolCalls)
        #expect(response.text == "Let me look.")
        #expect(
            log.deltas.filter { if case .toolCall = $0 { true } else { false } } == [
                .toolCall(index: 0, name: "grep"), .toolCall(index: 1, name: "read"),
            ])
        #expect(harness.double.violations.isEmpty, "\(harness.double.violations)")
    }

    @Test("tool calls without ids get stable ones, the same as the unstreamed call would make")
    func toolCallsWithoutIDs() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.toolCalls([.withoutID(name: "ls", arguments: "{}")]), .toolCalls([.withoutID(name: "ls", arguments: "{}")]))
        let first = try await harness.client.stream(OpenAIHarness.request([.user("ls")], tools: OpenAIHarness.tools)) { _ in }
        let id = try #require(first.toolCalls.first?.id)
        #expect(id.hasPrefix("call_"))
        #expect(first.toolCalls.first?.name == "ls")
    }

    @Test("without a usage chunk the counts are unknown, not 0")
    func noUsageChunk() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.streamed(.text("no usage here"), OpenAIStream(usage: false)))
        let response = try await harness.client.stream(OpenAIHarness.request([.user("hi")])) { _ in }
        #expect(response.text == "no usage here")
        #expect(response.inputTokens == nil && response.outputTokens == nil && response.cachedTokens == nil)
        #expect(!response.hasUsage)
    }

    @Test(
        "an error chunk is classified as the same error body with status 200; what came before it is kept",
        arguments: [
            (OpenAIStream.serverError, ModelError.Code.serverError),
            (["message": "Rate limit reached", "type": "requests", "param": nil, "code": "rate_limit_exceeded"], .rateLimited),
            (
                ["message": "too long", "type": "invalid_request_error", "param": nil, "code": "context_length_exceeded"],
                .contextLengthExceeded
            ),
        ] as [(JSONValue, ModelError.Code)])
    func errorChunk(error: JSONValue, code: ModelError.Code) async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.streamed(.text(Self.words), OpenAIStream(errorAfter: 0, error: error)))
        harness.double.enqueue(.streamed(.text(Self.words), OpenAIStream(errorAfter: 5, error: error)))
        let request = OpenAIHarness.request([.user("hi")])
        let before = try #require(await harness.error { () async throws(ModelError) in try await harness.client.stream(request) { _ in } })
        #expect(before.code == code, "\(before)")
        #expect(before.receivedText == nil)
        let log = DeltaLog()
        let after = try #require(
            await harness.error { () async throws(ModelError) in try await harness.client.stream(request, onDelta: log.callback) })
        #expect(after.code == code)
        #expect(after.receivedText == "word1 word2 word3 word4 word5")
        #expect(log.text == "word1 word2 word3 word4 word5")
        #expect(SecretLeakCheck.leaks(of: OpenAIHarness.apiKey, in: after).isEmpty)
    }

    @Test("a connection cut before and after the first text: a retryable connection error, carrying what was received")
    func cutConnection() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.streamed(.text(Self.words), OpenAIStream(cutAfter: 0)))
        harness.double.enqueue(.streamed(.text(Self.words), OpenAIStream(cutAfter: 10)))
        harness.double.enqueue(.streamed(.text(Self.words), OpenAIStream(cutAfter: 3, framing: .closeDelimited)))
        let request = OpenAIHarness.request([.user("hi")])
        let before = try #require(
            await harness.error { () async throws(ModelError) in try await harness.freshClient().stream(request) { _ in } })
        #expect(before.code == .connection, "\(before)")
        #expect(before.isRetryable)
        #expect(before.receivedText == nil)
        let after = try #require(
            await harness.error { () async throws(ModelError) in try await harness.freshClient().stream(request) { _ in } })
        #expect(after.code == .connection)
        #expect(after.receivedText == (1...10).map { "word\($0)" }.joined(separator: " "))
        // A body ended by closing the connection looks whole to HTTP: the missing [DONE] tells the cut.
        let closed = try #require(
            await harness.error { () async throws(ModelError) in try await harness.freshClient().stream(request) { _ in } })
        #expect(closed.code == .connection)
        #expect(closed.receivedText == "word1 word2 word3")
    }

    @Test("a body ended by closing the connection after [DONE] is a whole answer")
    func closeDelimited() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.streamed(.text(Self.words), OpenAIStream(framing: .closeDelimited)))
        let response = try await harness.freshClient().stream(OpenAIHarness.request([.user("hi")])) { _ in }
        #expect(response.text == Self.words)
        #expect(response.streamed)
    }

    @Test("a server that ignores stream and answers one JSON body still works")
    func ignoresStream() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(
            .streamed(.text("one body", usage: .exact(prompt: 3, completion: 2, cached: 0)), OpenAIStream(ignoresStream: true)))
        let log = DeltaLog()
        let response = try await harness.client.stream(OpenAIHarness.request([.user("hi")]), onDelta: log.callback)
        #expect(response.text == "one body")
        #expect(!response.streamed)
        #expect(response.firstTokenLatency == nil)
        #expect(response.inputTokens == 3)
        #expect(log.deltas.isEmpty)
    }

    @Test("an HTTP error before the stream is classified as for the unstreamed call, Retry-After read")
    func httpErrorBeforeTheStream() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(
            .rateLimited(retryAfter: 3), .contextLengthExceeded,
            .raw(status: 200, body: #"{"error":{"code":500,"message":"upstream failed"}}"#))
        let request = OpenAIHarness.request([.user("hi")])
        let limited = try #require(await harness.error { () async throws(ModelError) in try await harness.client.stream(request) { _ in } })
        #expect(limited.code == .rateLimited)
        #expect(limited.retryAfter == .seconds(3))
        let long = try #require(await harness.error { () async throws(ModelError) in try await harness.client.stream(request) { _ in } })
        #expect(long.code == .contextLengthExceeded)
        let hidden = try #require(await harness.error { () async throws(ModelError) in try await harness.client.stream(request) { _ in } })
        #expect(hidden.code == .serverError, "an error object with status 200: \(hidden)")
    }

    @Test("hostile streams: data that is not a chunk, an error event, a stream that ends without [DONE]")
    func hostileStreams() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        let sse = ["content-type": "text/event-stream"]
        harness.double.enqueue(
            .raw(status: 200, headers: sse, body: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\ndata: <html>\n\n"),
            .raw(status: 200, headers: sse, body: "event: error\ndata: {\"message\":\"overloaded\",\"type\":\"server_error\"}\n\n"),
            .raw(status: 200, headers: sse, body: ": nothing but comments\n\n"),
            .raw(
                status: 200,
                body:
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"sniffed\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
            ))
        let request = OpenAIHarness.request([.user("hi")])
        let junk = try #require(await harness.error { () async throws(ModelError) in try await harness.client.stream(request) { _ in } })
        #expect(junk.code == .malformedResponse)
        #expect(junk.receivedText == "hi")
        let event = try #require(await harness.error { () async throws(ModelError) in try await harness.client.stream(request) { _ in } })
        #expect(event.code == .serverError)
        let empty = try #require(await harness.error { () async throws(ModelError) in try await harness.client.stream(request) { _ in } })
        #expect(empty.code == .connection)
        // No event-stream content type, but events: read as events.
        #expect(try await harness.client.stream(request) { _ in }.text == "sniffed")
    }

    @Test("nothing for longer than the timeout ends the call; a cancelled call ends at once")
    func timeoutAndCancellation() async throws {
        let harness = try OpenAIHarness(requestTimeout: .milliseconds(1500))
        defer { harness.double.stop() }
        harness.double.enqueue(.streamed(.text(Self.words), OpenAIStream(firstTokenDelay: .seconds(4))))
        let start = ContinuousClock.now
        let silent = try #require(
            await harness.error { () async throws(ModelError) in
                try await harness.client.stream(OpenAIHarness.request([.user("hi")])) { _ in }
            })
        #expect(silent.code == .timeout)
        #expect(ContinuousClock.now - start < .seconds(3))

        harness.double.enqueue(.streamed(.text(Self.words), OpenAIStream(tokensPerSecond: 5)))
        let log = DeltaLog()
        let client = harness.freshClient()
        let call = Task { () async throws(ModelError) -> CompletionResponse in
            try await client.stream(OpenAIHarness.request([.user("hi")]), onDelta: log.callback)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while log.deltas.count < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let cancelledAt = ContinuousClock.now
        call.cancel()
        let result = await call.result
        #expect(ContinuousClock.now - cancelledAt < .milliseconds(500))
        guard case .failure(let failure) = result, let error = failure as? ModelError else {
            Issue.record("the cancelled call did not fail with a ModelError: \(result)")
            return
        }
        #expect(error.code == .cancelled)
        #expect(error.receivedText?.hasPrefix("word1 word2") == true)
    }
}

@Suite("Streamed calls under the retry policy", .timeLimit(.minutes(1)))
struct StreamingCallerTests {
    func caller(_ harness: OpenAIHarness) -> ModelCaller<ContinuousClock> {
        ModelCaller(
            client: harness.freshClient(), policy: RetryPolicy(base: .milliseconds(10), cap: .milliseconds(50)), breaker: CircuitBreaker(),
            clock: ContinuousClock())
    }

    func span() throws -> (Span, TemporaryDirectory) {
        let folder = TemporaryDirectory()
        let store = EventStore(database: try Database(path: folder.file("agent.db")), identity: EventIdentity(source: .worker))
        return (try store.startSpan("turn", parent: nil), folder)
    }

    @Test("a cut before anything was shown is retried; the deltas are those of the answer that came whole")
    func cutBeforeShownIsRetried() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.streamed(.text("lost"), OpenAIStream(cutAfter: 0)), .text("second try"))
        let (turn, folder) = try span()
        _ = folder
        let log = DeltaLog()
        let response = try await caller(harness).complete(OpenAIHarness.request([.user("hi")]), parent: turn, onDelta: log.callback)
        #expect(response.text == "second try")
        #expect(log.text == "second try")
        #expect(harness.double.requests.count == 2)
    }

    @Test("a cut after text was shown is not retried: the turn fails with what was received")
    func cutAfterShownFails() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.streamed(.text(StreamingTests.words), OpenAIStream(cutAfter: 4)), .text("never asked for"))
        let (turn, folder) = try span()
        _ = folder
        let error = await #expect(throws: ModelError.self) {
            try await caller(harness).complete(OpenAIHarness.request([.user("hi")]), parent: turn) { _ in }
        }
        #expect(error?.code == .connection)
        #expect(error?.receivedText == "word1 word2 word3 word4")
        #expect(harness.double.requests.count == 1)
    }
}
