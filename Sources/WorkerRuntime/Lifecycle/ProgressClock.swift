import Synchronization

/// When a loop last finished a round, so that the watchdog beat can stand for real progress.
public final class ProgressClock: Sendable {
    private let last = Mutex(ContinuousClock.now)

    public init() {}

    /// Records a finished round.
    public func tick() {
        last.withLock { $0 = .now }
    }

    public var sinceLastProgress: Duration { ContinuousClock.now - last.withLock { $0 } }
}
