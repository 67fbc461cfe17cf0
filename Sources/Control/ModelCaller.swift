import Events
import ModelAdapter

/// Calls the model under the retry policy and the circuit breaker, recording every retry and breaker change.
///
/// Retried: what `ModelError.isRetryable` allows (connection, timeout, 408, 409, 429 rate limit, 5xx), waiting
/// `Retry-After` when given. Never retried: quota, context length, authentication, bad request. Events (children of
/// `parent`): `retry.scheduled {attempt, delay_ms, error}`, `retry.exhausted`, `circuit.opened|half_open|closed`.
public struct ModelCaller<C: Clock<Duration>>: Sendable {
    public let client: any ModelClient
    public let policy: RetryPolicy
    public let breaker: CircuitBreaker
    public let clock: C

    public init(client: any ModelClient, policy: RetryPolicy = RetryPolicy(), breaker: CircuitBreaker, clock: C) {
        self.client = client
        self.policy = policy
        self.breaker = breaker
        self.clock = clock
    }

    /// Sends `request`, retrying within the policy.
    ///
    /// - Throws: the last `ModelError`, or `ControlError.circuitOpen` when the breaker refuses the call.
    public func complete(_ request: CompletionRequest, parent: Span) async throws -> CompletionResponse {
        var random = SystemRandomNumberGenerator()
        var retry = 0
        while true {
            let (allowed, opening) = breaker.allowCall(at: .now)
            if opening == .halfOpened { _ = try? parent.event(EventKind.circuitHalfOpen, payload: ["service": "model"]) }
            guard allowed else {
                throw ControlError(
                    .circuitOpen,
                    "the model service failed the same way \(breaker.threshold) times in a row; calls are paused for a while")
            }
            do {
                let response = try await client.complete(request)
                if breaker.recordSuccess() == .closed { _ = try? parent.event(EventKind.circuitClosed, payload: ["service": "model"]) }
                return response
            } catch {
                if error.code == .cancelled { throw error }
                if breaker.recordFailure(signature: Self.signature(of: error), at: .now) == .opened {
                    _ = try? parent.event(
                        EventKind.circuitOpened, level: .warn,
                        payload: [
                            "service": "model", "error": .string(error.message), "open_s": .int(breaker.openDuration.components.seconds),
                        ])
                }
                guard error.isRetryable else { throw error }
                guard retry < policy.maxRetries else {
                    _ = try? parent.event(
                        EventKind.retryExhausted, level: .warn,
                        payload: ["attempts": .int(Int64(retry + 1)), "error": .string(error.message)])
                    throw error
                }
                retry += 1
                let delay = policy.delay(beforeRetry: retry, retryAfter: error.retryAfter, using: &random)
                _ = try? parent.event(
                    EventKind.retryScheduled, level: .warn,
                    payload: ["attempt": .int(Int64(retry)), "delay_ms": .int(delay.wholeMilliseconds), "error": .string(error.message)])
                try await clock.sleep(for: delay)
            }
        }
    }

    /// The error without what varies between two occurrences of the same failure (numbers, ids).
    static func signature(of error: ModelError) -> String {
        let digitsRemoved = error.message.unicodeScalars.filter { !("0"..."9").contains($0) }
        return "\(error.code)|\(error.providerCode ?? "")|\(String(String.UnicodeScalarView(digitsRemoved)))"
    }
}
