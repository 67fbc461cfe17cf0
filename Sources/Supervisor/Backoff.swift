import Events

/// Restart delays: exponential with full jitter, capped.
///
/// The delay of attempt `n` (0-based) is uniform in `0...min(max, base * 2^n)`, so that workers restarting after
/// one shared failure do not all come back at once.
public struct Backoff: Sendable {
    public let base: Duration
    public let max: Duration

    public init(base: Duration, max: Duration) {
        self.base = base
        self.max = max
    }

    /// The ceiling of attempt `attempt` before jitter.
    public func ceiling(attempt: Int) -> Duration {
        let factor = 1 << Swift.min(attempt, 30)
        let grown = base * factor
        return grown > max || grown < base ? max : grown
    }

    /// A delay for `attempt`, drawn with `random` in `0...ceiling`.
    public func delay<Generator: RandomNumberGenerator>(attempt: Int, using random: inout Generator) -> Duration {
        let ceilingMilliseconds = ceiling(attempt: attempt).wholeMilliseconds
        guard ceilingMilliseconds > 0 else { return .zero }
        return .milliseconds(Int64.random(in: 0...ceilingMilliseconds, using: &random))
    }
}
