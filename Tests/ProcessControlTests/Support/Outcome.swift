import Synchronization

/// Runs a wait that may never return, and tells whether it did in time.
enum Outcome {
    /// `body`'s result, or `nil` when it has not returned within `limit`. A body that has not returned is left
    /// running: a hung wait cannot be joined, and a test that joined it would hang instead of failing.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        let outcome = Mutex<T?>(nil)
        Task {
            let value = await body()
            outcome.withLock { $0 = value }
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let value = outcome.withLock({ $0 }) { return value }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return outcome.withLock { $0 }
    }
}
