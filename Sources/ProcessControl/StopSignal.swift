import Synchronization

/// A one-way flag raised when the program must stop, that sleepers can wait on.
///
/// Graceful shutdown is not task cancellation: a stop lets the current step finish (the worker is given its grace
/// period), while every wait for "later" (a restart's backoff) ends at once.
public final class StopSignal: Sendable {
    private struct State {
        var raised = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether a stop was requested.
    public var isRaised: Bool { state.withLock { $0.raised } }

    /// Requests the stop and wakes every sleeper.
    public func raise() {
        let waiters = state.withLock { state in
            state.raised = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sleeps for `duration` or until the stop is raised. Returns whether the stop was raised.
    @discardableResult
    public func sleep(for duration: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitRaised() }
            group.addTask { try? await Task.sleep(for: duration) }
            await group.next()
            group.cancelAll()
        }
        return isRaised
    }

    /// Waits until the stop is raised, or the calling task is cancelled. No timer is involved: a cancelled sleep
    /// would keep its timer (and its memory) until the sleep's deadline.
    public func wait() async {
        await waitRaised()
    }

    private func waitRaised() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.raised || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
