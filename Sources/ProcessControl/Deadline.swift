import Dispatch

/// Runs work with a deadline, on a Dispatch timer source: unlike a racing `Task.sleep` or `asyncAfter`, the timer is
/// let go at once when the work ends first, so a long deadline costs nothing after it (docs/performance.md).
public enum Deadline {
    /// Thrown when the deadline passed first; the work was cancelled.
    public struct Passed: Error, Sendable {
        public let after: Duration
    }

    /// The result of `body`, or `Passed` when `duration` elapses first (then `body` is cancelled).
    public static func run<T: Sendable>(after duration: Duration, _ body: @Sendable @escaping () async throws -> T) async throws -> T {
        let passed = StopSignal()
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        timer.setEventHandler { passed.raise() }
        timer.resume()
        defer { timer.cancel() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                await passed.wait()
                if Task.isCancelled { return nil }
                throw Passed(after: duration)
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw CancellationError()
        }
    }
}
