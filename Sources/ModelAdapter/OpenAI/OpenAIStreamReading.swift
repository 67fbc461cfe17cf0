import Foundation
import HTTPSupport
import Synchronization

/// The state of one streamed call while its answer arrives on the session's delegate queue: whether the answer is
/// an event stream, one JSON body (a server that ignored `stream`) or an error body, and what it holds so far.
final class OpenAIStreamReading: Sendable {
    private enum Mode {
        /// A 2xx head without an event-stream content type: the first byte that is not a space decides.
        case undecided
        case events
        /// One body, read whole at the end: an error status, or a server that ignored `stream`.
        case body
    }

    private struct State {
        var status = 0
        var headers: [String: String] = [:]
        var mode = Mode.undecided
        var body = Data()
        var parser = ServerSentEventParser()
        var assembler: OpenAIStreamAssembler?
        var failure: ModelError?
        var firstTokenAt: ContinuousClock.Instant?
    }

    /// The largest whole body kept (an error page, a JSON answer).
    static let maxBodyBytes = 32 << 20

    private let state = Mutex(State())
    private let reader: OpenAIResponseReader
    private let onDelta: @Sendable (CompletionDelta) -> Void
    private let start = ContinuousClock.now

    init(reader: OpenAIResponseReader, onDelta: @escaping @Sendable (CompletionDelta) -> Void) {
        self.reader = reader
        self.onDelta = onDelta
    }

    var head: @Sendable (Int, [String: String]) -> Void {
        { [self] status, headers in
            state.withLock { state in
                state.status = status
                state.headers = headers
                state.assembler = OpenAIStreamAssembler(reader: reader, headers: headers)
                if !(200..<300).contains(status) {
                    state.mode = .body
                } else if headers["content-type"]?.lowercased().contains("text/event-stream") == true {
                    state.mode = .events
                }
            }
        }
    }

    var bytes: @Sendable (Data) -> Bool {
        { [self] data in
            let (deltas, proceed) = state.withLock { state in consume(data, into: &state) }
            for delta in deltas { onDelta(delta) }
            return proceed
        }
    }

    /// Feeds one piece of the body; returns the deltas it completed and whether to read on.
    private func consume(_ data: Data, into state: inout State) -> ([CompletionDelta], Bool) {
        if case .undecided = state.mode {
            guard let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
                state.body.append(data)
                return ([], true)
            }
            state.mode = first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .body : .events
            if case .events = state.mode, !state.body.isEmpty {
                let pending = state.body
                state.body = Data()
                var (deltas, proceed) = consume(pending, into: &state)
                guard proceed else { return (deltas, false) }
                let more = consume(data, into: &state)
                deltas += more.0
                return (deltas, more.1)
            }
        }
        switch state.mode {
        case .undecided, .body:
            guard state.body.count + data.count <= Self.maxBodyBytes else {
                state.failure = ModelError(
                    .malformedResponse, "model call to \(reader.host) failed: the answer is larger than \(Self.maxBodyBytes >> 20) MiB",
                    status: state.status)
                return ([], false)
            }
            state.body.append(data)
            return ([], true)
        case .events:
            var deltas: [CompletionDelta] = []
            do throws(ModelError) {
                try state.parser.feed(data) { event throws(ModelError) in
                    guard var assembler = state.assembler else { return }
                    defer { state.assembler = assembler }
                    deltas += try assembler.consume(event)
                }
            } catch {
                state.failure = error
                return (deltas, false)
            }
            if !deltas.isEmpty, state.firstTokenAt == nil { state.firstTokenAt = .now }
            return (deltas, true)
        }
    }

    /// The answer, or the error, once the exchange has ended.
    func finish(_ outcome: HTTPTransport.StreamOutcome, requestedModel: String, idleTimeout: Duration) throws(ModelError)
        -> CompletionResponse
    {
        let host = reader.host
        let latency = ContinuousClock.now - start
        let result: Result<CompletionResponse, ModelError> = state.withLock { state in
            let received = state.assembler?.text
            if let failure = state.failure { return .failure(failure) }
            switch outcome {
            case .cancelled:
                return .failure(ModelError(.cancelled, "model call to \(host) was cancelled").receiving(received))
            case .timedOut:
                let what = state.status == 0 ? "got no answer" : "sent nothing more"
                return .failure(ModelError(.timeout, "model call to \(host) \(what) for \(idleTimeout)").receiving(received))
            case .failed(let failure):
                if case .events = state.mode, state.assembler?.isComplete == true {
                    break  // Ended after its last chunk: a reset after [DONE] loses nothing.
                }
                let what = state.status == 0 ? "\(failure)" : "the stream was cut (curl error \(failure.code))"
                return .failure(
                    ModelError(.connection, "model call to \(host) failed: \(what)", transportCode: failure.code).receiving(received))
            case .completed:
                break
            }
            switch state.mode {
            case .undecided, .body:
                do throws(ModelError) {
                    return .success(
                        try reader.read(
                            status: state.status, headers: state.headers, body: state.body, latency: latency,
                            requestedModel: requestedModel))
                } catch {
                    return .failure(error)
                }
            case .events:
                do throws(ModelError) {
                    try state.parser.finish { event throws(ModelError) in
                        guard var assembler = state.assembler else { return }
                        defer { state.assembler = assembler }
                        _ = try assembler.consume(event)
                    }
                } catch {
                    return .failure(error)
                }
                guard let assembler = state.assembler, assembler.isComplete else {
                    return .failure(
                        ModelError(
                            .connection, "model call to \(host) failed: the stream ended before its end ([DONE])", status: state.status,
                            requestID: state.headers["x-request-id"]
                        ).receiving(received))
                }
                return .success(
                    assembler.response(
                        latency: latency, firstTokenLatency: state.firstTokenAt.map { $0 - start }, requestedModel: requestedModel))
            }
        }
        return try result.get()
    }
}
