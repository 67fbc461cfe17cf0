import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP request with a real deadline, shared by the Telegram client and the model adapter.
///
/// URLSession's own timeouts are idle timeouts in whole seconds, so the exchange ends itself when `deadline` passes
/// or the calling task is cancelled, and it does so at once: on Linux a cancelled data task may report back only
/// when its server answers (a held long poll: up to its whole timeout), so the caller is not made to wait for that.
public enum HTTPExchange {
    /// How an exchange ended.
    public enum Outcome: Sendable {
        case response(status: Int, headers: [String: String], body: Data)
        /// No answer: the `URLError` code (the error itself is not kept: its text holds the URL).
        case failed(urlErrorCode: Int)
        case timedOut
        case cancelled
    }

    /// A session for one API client: keep-alive connections (8 per host), no cache, no cookies, and URLSession's
    /// own idle timeouts out of the way (the exchange's deadline is the one that counts).
    public static func makeSession() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 3600
        configuration.timeoutIntervalForResource = 3600
        configuration.httpMaximumConnectionsPerHost = 8
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }

    /// Sends `request` and waits for its answer, at most `deadline`.
    public static func perform(_ request: URLRequest, session: URLSession, deadline: Duration) async -> Outcome {
        let race = Race()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                race.begin(continuation)
                let task = session.dataTask(with: request) { data, response, error in
                    if let response = response as? HTTPURLResponse, error == nil {
                        var headers: [String: String] = [:]
                        for (name, value) in response.allHeaderFields {
                            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
                        }
                        race.finish(.response(status: response.statusCode, headers: headers, body: data ?? Data()))
                    } else {
                        race.finish(.failed(urlErrorCode: (error as? URLError)?.errorCode ?? URLError.Code.unknown.rawValue))
                    }
                }
                race.start(task, deadline: deadline)
            }
        } onCancel: {
            race.finish(.cancelled)
        }
    }

    /// Who ends the exchange first: the answer, the deadline or the caller's cancellation. The first one resumes the
    /// caller; an early end also cancels the data task, whose late report is then ignored.
    private final class Race: Sendable {
        private struct State: @unchecked Sendable {
            // URLSessionDataTask is thread-safe; it is only reached under the `state` mutex.
            var task: URLSessionDataTask?
            var continuation: CheckedContinuation<Outcome, Never>?
            var outcome: Outcome?
            var timer: (any DispatchSourceTimer)?
        }

        private let state = Mutex(State())

        func begin(_ continuation: CheckedContinuation<Outcome, Never>) {
            let early = state.withLock { state -> Outcome? in
                if state.outcome == nil { state.continuation = continuation }
                return state.outcome
            }
            if let early { continuation.resume(returning: early) }
        }

        func start(_ task: URLSessionDataTask, deadline: Duration) {
            let proceed = state.withLock { state in
                state.task = task
                return state.outcome == nil
            }
            guard proceed else { return task.cancel() }
            task.resume()
            // A Dispatch timer source, not a sleeping task nor `asyncAfter`: both keep their memory until the
            // deadline even when the answer comes first; a cancelled source is let go at once.
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18)
            timer.setEventHandler { [self] in finish(.timedOut) }
            let finished = state.withLock { state in
                if state.outcome == nil { state.timer = timer }
                return state.outcome != nil
            }
            timer.resume()  // A source must never be let go suspended.
            if finished { timer.cancel() }
        }

        /// Ends the exchange with `outcome` unless it has ended already.
        func finish(_ outcome: Outcome) {
            let (continuation, task, timer) = state.withLock {
                state -> (CheckedContinuation<Outcome, Never>?, URLSessionDataTask?, (any DispatchSourceTimer)?) in
                guard state.outcome == nil else { return (nil, nil, nil) }
                state.outcome = outcome
                defer {
                    state.continuation = nil
                    state.task = nil
                    state.timer = nil
                }
                return (state.continuation, state.task, state.timer)
            }
            timer?.cancel()
            switch outcome {
            case .timedOut, .cancelled: task?.cancel()
            case .response, .failed: break
            }
            continuation?.resume(returning: outcome)
        }
    }
}
