import Synchronization

/// Stops calling a failing service after the same error three times in a row, for a while, then lets one trial
/// call through (SPEC section 8).
///
/// Closed: calls pass. After `threshold` consecutive failures with the same normalised signature it opens: calls
/// are refused for `openDuration`. Then it is half-open: one call passes (the trial); success closes it, failure
/// opens it again, and a trial that ends without a verdict (cancelled, or an error that does not count) is
/// abandoned, so that the next call becomes the trial: a half-open breaker never waits for a trial that is gone.
public final class CircuitBreaker: Sendable {
    /// The breaker's state.
    public enum State: Sendable, Equatable {
        case closed
        case open(until: ContinuousClock.Instant)
        case halfOpen
    }

    /// What a failure or a success changed, for the caller to record.
    public enum Transition: Sendable, Equatable {
        case opened
        case halfOpened
        case closed
    }

    /// The answer of `allowCall`: whether the call may go out, whether it is the half-open trial (whose holder
    /// must end it with a success, a failure or `abandonTrial()`), and what changed.
    public struct Admission: Sendable, Equatable {
        public let allowed: Bool
        public let isTrial: Bool
        public let transition: Transition?
    }

    private struct Storage {
        var state: State = .closed
        var lastSignature: String?
        var consecutive = 0
        var trialInFlight = false
    }

    public let threshold: Int
    public let openDuration: Duration
    private let storage = Mutex(Storage())

    public init(threshold: Int = 3, openDuration: Duration = .seconds(60)) {
        self.threshold = threshold
        self.openDuration = openDuration
    }

    public var state: State { storage.withLock { $0.state } }

    /// Whether a call may go out now; moves an expired open breaker to half-open (one trial call).
    public func allowCall(at now: ContinuousClock.Instant) -> Admission {
        storage.withLock { storage in
            switch storage.state {
            case .closed:
                return Admission(allowed: true, isTrial: false, transition: nil)
            case .open(let until):
                guard now >= until else { return Admission(allowed: false, isTrial: false, transition: nil) }
                storage.state = .halfOpen
                storage.trialInFlight = true
                return Admission(allowed: true, isTrial: true, transition: .halfOpened)
            case .halfOpen:
                if storage.trialInFlight { return Admission(allowed: false, isTrial: false, transition: nil) }
                storage.trialInFlight = true
                return Admission(allowed: true, isTrial: true, transition: nil)
            }
        }
    }

    /// Records a successful call; closes a half-open breaker.
    public func recordSuccess() -> Transition? {
        storage.withLock { storage in
            let wasClosed = storage.state == .closed
            storage = Storage()
            return wasClosed ? nil : .closed
        }
    }

    /// Records a failed call with its normalised signature; opens the breaker at the threshold or after a failed
    /// trial. Only failures of the service itself belong here (the caller filters out its own mistakes).
    public func recordFailure(signature: String, at now: ContinuousClock.Instant) -> Transition? {
        storage.withLock { storage in
            storage.trialInFlight = false
            if storage.state == .halfOpen {
                storage.state = .open(until: now + openDuration)
                return .opened
            }
            storage.consecutive = storage.lastSignature == signature ? storage.consecutive + 1 : 1
            storage.lastSignature = signature
            guard storage.consecutive >= threshold, storage.state == .closed else { return nil }
            storage.state = .open(until: now + openDuration)
            return .opened
        }
    }

    /// Ends the half-open trial without a verdict (it was cancelled, or it failed in a way that says nothing about
    /// the service): the breaker stays half-open and the next call becomes the trial. Only the call admitted as
    /// the trial calls this.
    public func abandonTrial() {
        storage.withLock { storage in
            if storage.state == .halfOpen { storage.trialInFlight = false }
        }
    }
}
