/// Decides when the worker's exits amount to a crash loop, and how far the backoff has grown.
///
/// A crash loop is `crashMax` exits within `crashWindow`, or `crashBeforeReadyMax` exits in a row of workers that
/// never became ready. A worker that ran for `stableReset` forgets the failures before it.
public struct CrashLoopDetector: Sendable {
    public let crashWindow: Duration
    public let crashMax: Int
    public let crashBeforeReadyMax: Int
    public let stableReset: Duration

    /// Exit times within the window, oldest first.
    public private(set) var exits: [ContinuousClock.Instant] = []
    /// Exits in a row of workers that never sent READY=1.
    public private(set) var exitsBeforeReady = 0
    /// Consecutive failures: the backoff attempt of the next restart.
    public private(set) var attempt = 0

    public init(crashWindow: Duration, crashMax: Int, crashBeforeReadyMax: Int, stableReset: Duration) {
        self.crashWindow = crashWindow
        self.crashMax = crashMax
        self.crashBeforeReadyMax = crashBeforeReadyMax
        self.stableReset = stableReset
    }

    /// What one exit means.
    public enum Verdict: Sendable, Equatable {
        /// Restart after the backoff of this attempt.
        case restart(attempt: Int)
        /// A crash loop: `exits` exits in the window (or before ready).
        case crashLoop(exits: Int, attempt: Int)
    }

    /// Records an exit at `now` of a worker that ran for `uptime` and did or did not become ready.
    public mutating func recordExit(at now: ContinuousClock.Instant, uptime: Duration, becameReady: Bool) -> Verdict {
        if uptime >= stableReset {
            exits.removeAll()
            exitsBeforeReady = 0
            attempt = 0
        }
        exits.append(now)
        exits.removeAll { now - $0 > crashWindow }
        exitsBeforeReady = becameReady ? 0 : exitsBeforeReady + 1
        let thisAttempt = attempt
        attempt += 1
        if exits.count >= crashMax || exitsBeforeReady >= crashBeforeReadyMax {
            return .crashLoop(exits: Swift.max(exits.count, exitsBeforeReady), attempt: thisAttempt)
        }
        return .restart(attempt: thisAttempt)
    }
}
