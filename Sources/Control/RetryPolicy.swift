import Events

/// How model calls are retried (SPEC section 8): up to 3 retries (4 calls in all), full-jitter backoff from 0.5 s
/// capped at 8 s, and the provider's `Retry-After` honoured up to 60 s.
public struct RetryPolicy: Sendable, Equatable {
    public var maxRetries: Int
    public var base: Duration
    public var cap: Duration
    /// The longest `Retry-After` obeyed; a longer one is cut to this.
    public var maxRetryAfter: Duration

    public init(
        maxRetries: Int = 3, base: Duration = .milliseconds(500), cap: Duration = .seconds(8), maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxRetries = maxRetries
        self.base = base
        self.cap = cap
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before retry number `retry` (1-based): the provider's `retryAfter` when it gave one (at most
    /// `maxRetryAfter`), else uniform in `0...min(cap, base * 2^(retry-1))`.
    public func delay<Generator: RandomNumberGenerator>(beforeRetry retry: Int, retryAfter: Duration?, using random: inout Generator)
        -> Duration
    {
        if let retryAfter { return min(max(retryAfter, .zero), maxRetryAfter) }
        let grown = base * (1 << min(max(retry - 1, 0), 30))
        let ceiling = grown > cap || grown < base ? cap : grown
        return .milliseconds(Int64.random(in: 0...max(ceiling.wholeMilliseconds, 0), using: &random))
    }
}
