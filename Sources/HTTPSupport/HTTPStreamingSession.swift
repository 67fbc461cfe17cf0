import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTP requests whose answers are read as they arrive (server-sent events), on one URLSession with a delegate.
///
/// URLSession's `bytes(for:)` does not exist on Linux, so the session's data delegate hands each piece of the body
/// to the request's `onBytes` as libcurl reads it, on the session's serial delegate queue. A stream has no overall
/// deadline (a slow model may write for minutes; the caller's run limit bounds it): it ends when the server ends
/// it, when nothing arrives for `idleTimeout` (the head included), or at once when the calling task is cancelled.
public final class HTTPStreamingSession: Sendable {
    /// How a streamed exchange ended.
    public enum Outcome: Sendable, Equatable {
        /// The server ended the body normally.
        case completed
        /// The connection failed, before or during the body: the `URLError` code (the error itself holds the URL).
        case failed(urlErrorCode: Int)
        /// Nothing arrived for the idle timeout.
        case timedOut
        case cancelled
    }

    /// What the caller is told as the answer arrives; both are called on the session's delegate queue, in order.
    /// `bytes` returns false to end the exchange early (it then ends as `completed`, the rest unread).
    public struct Receiver: Sendable {
        public var head: @Sendable (_ status: Int, _ headers: [String: String]) -> Void
        public var bytes: @Sendable (Data) -> Bool

        public init(
            head: @escaping @Sendable (_ status: Int, _ headers: [String: String]) -> Void, bytes: @escaping @Sendable (Data) -> Bool
        ) {
            self.head = head
            self.bytes = bytes
        }
    }

    private let session: URLSession
    private let delegate: Delegate

    /// A session like `HTTPExchange.makeSession()` (keep-alive, no cache, no cookies), with its own serial delegate
    /// queue.
    public init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 3600
        configuration.timeoutIntervalForResource = 24 * 3600
        configuration.httpMaximumConnectionsPerHost = 8
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        queue.name = "http-streaming-delegate"
        delegate = Delegate()
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Sends `request` and feeds its answer to `receiver` as it arrives; returns how it ended.
    public func stream(_ request: URLRequest, idleTimeout: Duration, receiver: Receiver) async -> Outcome {
        let exchange = Exchange(receiver: receiver, idleTimeout: idleTimeout)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                exchange.begin(continuation)
                let task = session.dataTask(with: request)
                delegate.register(exchange, for: task.taskIdentifier)
                exchange.start(task) { [delegate] in delegate.unregister(task.taskIdentifier) }
            }
        } onCancel: {
            exchange.finish(.cancelled)
        }
    }

    /// Routes the session's callbacks to the exchange of each task.
    private final class Delegate: NSObject, URLSessionDataDelegate, Sendable {
        private let exchanges = Mutex<[Int: Exchange]>([:])

        func register(_ exchange: Exchange, for task: Int) { exchanges.withLock { $0[task] = exchange } }
        func unregister(_ task: Int) { _ = exchanges.withLock { $0.removeValue(forKey: task) } }
        private func exchange(_ task: Int) -> Exchange? { exchanges.withLock { $0[task] } }

        func urlSession(
            _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
            completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
        ) {
            if let response = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (name, value) in response.allHeaderFields {
                    if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
                }
                exchange(dataTask.taskIdentifier)?.head(status: response.statusCode, headers: headers)
            }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            exchange(dataTask.taskIdentifier)?.bytes(data)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            let exchange = exchange(task.taskIdentifier)
            unregister(task.taskIdentifier)
            if let error {
                exchange?.finish(.failed(urlErrorCode: (error as? URLError)?.errorCode ?? URLError.Code.unknown.rawValue))
            } else {
                exchange?.finish(.completed)
            }
        }
    }

    /// One request: who ends it first (the server, the idle timer, the caller) resumes the caller; nothing is
    /// passed on after the end.
    private final class Exchange: Sendable {
        private struct State: @unchecked Sendable {
            // URLSessionDataTask is thread-safe; it is only reached under the `state` mutex.
            var task: URLSessionDataTask?
            var continuation: CheckedContinuation<Outcome, Never>?
            var outcome: Outcome?
            var timer: (any DispatchSourceTimer)?
            var cleanup: (@Sendable () -> Void)?
        }

        private let state = Mutex(State())
        private let receiver: Receiver
        private let idleTimeout: Duration

        init(receiver: Receiver, idleTimeout: Duration) {
            self.receiver = receiver
            self.idleTimeout = idleTimeout
        }

        func begin(_ continuation: CheckedContinuation<Outcome, Never>) {
            let early = state.withLock { state -> Outcome? in
                if state.outcome == nil { state.continuation = continuation }
                return state.outcome
            }
            if let early { continuation.resume(returning: early) }
        }

        func start(_ task: URLSessionDataTask, cleanup: @escaping @Sendable () -> Void) {
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.setEventHandler { [self] in finish(.timedOut) }
            let proceed = state.withLock { state in
                state.task = task
                state.cleanup = cleanup
                if state.outcome == nil { state.timer = timer }
                return state.outcome == nil
            }
            guard proceed else {
                cleanup()
                return task.cancel()
            }
            timer.schedule(deadline: .now() + idleTimeout.timeInterval)
            timer.resume()  // A source must never be let go suspended.
            task.resume()
        }

        func head(status: Int, headers: [String: String]) {
            guard rearm() else { return }
            receiver.head(status, headers)
        }

        func bytes(_ data: Data) {
            guard rearm() else { return }
            if !receiver.bytes(data) { finish(.completed, cancellingTask: true) }
        }

        /// Pushes the idle deadline back; false once the exchange has ended.
        private func rearm() -> Bool {
            state.withLock { state in
                guard state.outcome == nil else { return false }
                state.timer?.schedule(deadline: .now() + idleTimeout.timeInterval)
                return true
            }
        }

        /// Ends the exchange with `outcome` unless it has ended already; an end that is not the task's own cancels
        /// the task.
        func finish(_ outcome: Outcome, cancellingTask: Bool = false) {
            let (continuation, task, timer, cleanup) = state.withLock {
                state -> (CheckedContinuation<Outcome, Never>?, URLSessionDataTask?, (any DispatchSourceTimer)?, (@Sendable () -> Void)?) in
                guard state.outcome == nil else { return (nil, nil, nil, nil) }
                state.outcome = outcome
                defer {
                    state.continuation = nil
                    state.task = nil
                    state.timer = nil
                    state.cleanup = nil
                }
                return (state.continuation, state.task, state.timer, state.cleanup)
            }
            timer?.cancel()
            switch outcome {
            case .timedOut, .cancelled:
                task?.cancel()
                cleanup?()
            case .completed, .failed:
                if cancellingTask {
                    task?.cancel()
                    cleanup?()
                }
            }
            continuation?.resume(returning: outcome)
        }
    }
}

extension Duration {
    /// In seconds, for Dispatch and Foundation.
    var timeInterval: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
