import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP request with a real deadline: URLSession's own timeouts are idle timeouts in whole seconds, so the
/// task is cancelled when `deadline` passes or when the calling task is cancelled.
struct HTTPExchange: Sendable {
    /// How an exchange ended.
    enum Outcome: Sendable {
        case response(status: Int, headers: [String: String], body: Data)
        /// No answer: the `URLError` code (the error itself is not kept: its text holds the URL).
        case failed(urlErrorCode: Int)
        case timedOut
        case cancelled
    }

    /// Sends `request` and waits for its answer, at most `deadline`.
    static func perform(_ request: URLRequest, session: URLSession, deadline: Duration) async -> Outcome {
        let race = Race()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let task = session.dataTask(with: request) { data, response, error in
                    let ending = race.finish()
                    if ending == .timedOut { return continuation.resume(returning: .timedOut) }
                    if ending == .cancelled { return continuation.resume(returning: .cancelled) }
                    if let response = response as? HTTPURLResponse, error == nil {
                        var headers: [String: String] = [:]
                        for (name, value) in response.allHeaderFields {
                            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
                        }
                        return continuation.resume(returning: .response(status: response.statusCode, headers: headers, body: data ?? Data()))
                    }
                    continuation.resume(returning: .failed(urlErrorCode: (error as? URLError)?.errorCode ?? URLError.Code.unknown.rawValue))
                }
                race.start(task, deadline: deadline)
            }
        } onCancel: {
            race.end(.cancelled)
        }
    }

    /// Who ends the task first: its answer, the deadline or the caller's cancellation.
    private final class Race: Sendable {
        enum Ending: Sendable { case open, answered, timedOut, cancelled }

        private struct State: @unchecked Sendable {
            // URLSessionDataTask is thread-safe; it is only reached under the `state` mutex.
            var task: URLSessionDataTask?
            var ending = Ending.open
            var timer: DispatchWorkItem?
        }

        private let state = Mutex(State())

        func start(_ task: URLSessionDataTask, deadline: Duration) {
            let timer = DispatchWorkItem { [self] in end(.timedOut) }
            let proceed = state.withLock { state in
                state.task = task
                state.timer = timer
                return state.ending == .open
            }
            task.resume()
            guard proceed else { return task.cancel() }
            let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
        }

        /// Ends the race early (deadline or cancellation): the task is cancelled and reports `ending`.
        func end(_ ending: Ending) {
            let task: URLSessionDataTask? = state.withLock { state in
                guard state.ending == .open else { return nil }
                state.ending = ending
                return state.task
            }
            task?.cancel()
        }

        /// Called by the task's completion: how the race ended.
        func finish() -> Ending {
            state.withLock { state in
                state.timer?.cancel()
                if state.ending == .open { state.ending = .answered }
                return state.ending
            }
        }
    }
}
