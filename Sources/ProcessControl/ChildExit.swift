import Dispatch
import Synchronization

/// How one child ended, once the reaper has seen it, and the tasks waiting for that moment.
///
/// The status is kept for as long as the child's `ChildProcess` lives, so every wait, before or after the exit,
/// concurrent or not, gets it: there is no hand-over that a late waiter could miss. Each waiter is resumed exactly
/// once, by whichever comes first of the exit, its time limit (a Dispatch timer, let go at once when the exit comes
/// first) or the cancellation of its task.
final class ChildExit: Sendable {
    private struct State {
        var status: TerminationStatus?
        var waiters: [UInt64: CheckedContinuation<TerminationStatus?, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The status once the reaper recorded it.
    var status: TerminationStatus? { state.withLock { $0.status } }

    /// Records the status and wakes every waiter. Called once, by the reaper.
    func record(_ status: TerminationStatus) {
        let waiters = state.withLock { state in
            state.status = status
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// The status, waiting for it up to `limit` (`nil`: no limit).
    ///
    /// - Parameter cancellable: whether the cancellation of the calling task ends the wait (with `nil`).
    /// - Returns: `nil` when the time was up or the task was cancelled first.
    func wait(upTo limit: Duration?, cancellable: Bool = true) async -> TerminationStatus? {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let timer = limit.map { limit in
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + limit.timeInterval)
            timer.setEventHandler { [self] in give(up: id) }
            return timer
        }
        defer { timer?.cancel() }
        let wait = {
            await withCheckedContinuation { (continuation: CheckedContinuation<TerminationStatus?, Never>) in
                let known = self.state.withLock { state -> TerminationStatus?? in
                    if let status = state.status { return .some(status) }
                    if cancellable && Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let known { continuation.resume(returning: known) }
                timer?.resume()
            }
        }
        guard cancellable else { return await wait() }
        return await withTaskCancellationHandler(operation: wait, onCancel: { give(up: id) })
    }

    /// The status, however long it takes, deaf to cancellation: for after a SIGKILL, which ends any child.
    func waitIgnoringCancellation() async -> TerminationStatus {
        // Without a limit and deaf to cancellation, only the exit resumes the wait, and always with a status.
        await wait(upTo: nil, cancellable: false)!
    }

    /// Resumes the waiter `id` without a status, unless the exit or another cause resumed it already.
    private func give(up id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume(returning: nil)
    }
}

extension Duration {
    /// The duration in seconds, as Dispatch takes it.
    var timeInterval: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
