import CCurl
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// HTTP over libcurl's multi interface, on one thread of its own: the transport of both API clients.
///
/// Why not URLSession: on Linux it is libcurl too, under a layer that leaks about 160 bytes per request (its
/// `CFURLSessionCurlHostIsEqual` never frees the URL handle it makes; found with valgrind, docs/performance.md) and
/// hops through several Dispatch queues per call; it also brings FoundationNetworking, which a program that sends
/// one alert an hour does not need. Here each request is one easy handle added to one multi handle, whose
/// connection cache keeps connections alive between requests; answers are read on the transport's thread and the
/// caller is resumed from there.
///
/// Every exchange ends: `perform` at its deadline (libcurl's own `CURLOPT_TIMEOUT_MS`, a real deadline), `stream`
/// after `idleTimeout` without a byte, both at once when the calling task is cancelled.
public final class HTTPTransport: Sendable {
    /// How a whole exchange ended.
    public enum Outcome: Sendable {
        case response(status: Int, headers: [String: String], body: Data)
        /// No HTTP answer.
        case failed(TransportFailure)
        case timedOut
        case cancelled
    }

    /// How a streamed exchange ended.
    public enum StreamOutcome: Sendable, Equatable {
        /// The server ended the body normally, or the receiver asked to stop.
        case completed
        /// The connection failed, before or during the body.
        case failed(TransportFailure)
        /// Nothing arrived for the idle timeout.
        case timedOut
        case cancelled
    }

    /// What the caller of `stream` is told as the answer arrives, on the transport's thread, in order. Both must
    /// return quickly and never block: every other exchange of the transport waits meanwhile.
    public struct Receiver: Sendable {
        /// The status and the headers (names lowercased), once, before any byte of the body.
        public var head: @Sendable (_ status: Int, _ headers: [String: String]) -> Void
        /// A piece of the body; false ends the exchange early (it then ends as `completed`).
        public var bytes: @Sendable (Data) -> Bool

        public init(
            head: @escaping @Sendable (_ status: Int, _ headers: [String: String]) -> Void, bytes: @escaping @Sendable (Data) -> Bool
        ) {
            self.head = head
            self.bytes = bytes
        }
    }

    /// The transport every client shares unless given its own; its thread starts on first use.
    public static let shared = HTTPTransport()

    /// The largest whole answer read (a hostile server cannot make the worker hold more).
    public static let maxBodyBytes = 64 * 1024 * 1024

    private let loop: TransferLoop

    public init() {
        loop = TransferLoop()
    }

    /// Sends `request` and waits for its whole answer, at most `deadline`.
    public func perform(_ request: HTTPRequest, deadline: Duration) async -> Outcome {
        let transfer = Transfer(request: request, mode: .whole(deadline: deadline))
        let ending = await run(transfer)
        switch ending {
        case .done:
            return .response(status: transfer.status, headers: transfer.headers, body: Data(transfer.body))
        case .failed(let failure): return .failed(failure)
        case .timedOut: return .timedOut
        case .cancelled: return .cancelled
        }
    }

    /// Sends `request` and feeds its answer to `receiver` as it arrives; returns how it ended.
    public func stream(_ request: HTTPRequest, idleTimeout: Duration, receiver: Receiver) async -> StreamOutcome {
        let transfer = Transfer(request: request, mode: .streamed(idleTimeout: idleTimeout, receiver: receiver))
        switch await run(transfer) {
        case .done: return .completed
        case .failed(let failure): return .failed(failure)
        case .timedOut: return .timedOut
        case .cancelled: return .cancelled
        }
    }

    private func run(_ transfer: Transfer) async -> Transfer.Ending {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard transfer.begin(continuation) else { return }
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }
}

/// One request in flight: its easy handle and what has arrived. After `submit`, only the loop's thread touches
/// it, but for `begin` / `finish`, which are guarded by `ending`.
final class Transfer: @unchecked Sendable {  // The mutable fields below are the loop thread's; `ending` has a mutex.
    enum Mode {
        case whole(deadline: Duration)
        case streamed(idleTimeout: Duration, receiver: HTTPTransport.Receiver)
    }

    enum Ending: Sendable {
        case done
        case failed(TransportFailure)
        case timedOut
        case cancelled
    }

    let request: HTTPRequest
    let mode: Mode
    var handle: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var status = 0
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    var headDelivered = false
    /// For a stream: when it times out unless a byte arrives first (monotonic nanoseconds).
    var idleDeadline: UInt64?
    var stoppedByReceiver = false
    var tooLarge = false

    private struct EndingState {
        var continuation: CheckedContinuation<Ending, Never>?
        var ending: Ending?
    }

    private let ending = Mutex(EndingState())

    init(request: HTTPRequest, mode: Mode) {
        self.request = request
        self.mode = mode
    }

    /// Records the caller's continuation; false (and resumed at once) when the transfer already ended (cancelled
    /// before it began).
    func begin(_ continuation: CheckedContinuation<Ending, Never>) -> Bool {
        let early = ending.withLock { state -> Ending? in
            if state.ending == nil { state.continuation = continuation }
            return state.ending
        }
        if let early { continuation.resume(returning: early) }
        return early == nil
    }

    var hasEnded: Bool { ending.withLock { $0.ending != nil } }

    /// Ends the transfer with `outcome` unless it has ended already, resuming the caller.
    func finish(_ outcome: Ending) {
        let continuation = ending.withLock { state -> CheckedContinuation<Ending, Never>? in
            guard state.ending == nil else { return nil }
            state.ending = outcome
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: outcome)
    }

    // MARK: libcurl's callbacks, on the loop's thread

    /// One header line; a status line starts the headers afresh (after `100 Continue`).
    func received(headerLine line: UnsafeBufferPointer<UInt8>) {
        noteActivity()
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        let trimmed = Self.trimmed(text[...])
        if trimmed.isEmpty {
            deliverHead()
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        let value = String(Self.trimmed(trimmed[trimmed.index(after: colon)...]))
        headers[name] = headers[name].map { $0 + ", " + value } ?? value
    }

    /// A piece of the body; false aborts the transfer.
    func received(bodyBytes bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        noteActivity()
        switch mode {
        case .whole:
            guard body.count + bytes.count <= HTTPTransport.maxBodyBytes else {
                tooLarge = true
                return false
            }
            body.append(contentsOf: bytes)
            return true
        case .streamed(_, let receiver):
            deliverHead()
            if receiver.bytes(Data(bytes)) { return true }
            stoppedByReceiver = true
            return false
        }
    }

    /// Pushes a stream's idle deadline back.
    func noteActivity() {
        guard case .streamed(let idleTimeout, _) = mode else { return }
        idleDeadline = Monotonic.now() + Monotonic.nanoseconds(idleTimeout)
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    private func deliverHead() {
        guard case .streamed(_, let receiver) = mode, !headDelivered, let handle else { return }
        var code = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        guard code >= 200 else { return }  // 1xx: the real head comes later.
        status = code
        headDelivered = true
        receiver.head(code, headers)
    }
}
