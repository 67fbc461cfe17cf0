import Events
import ModelAdapter
import Synchronization

/// Calls the model under the retry policy and the circuit breaker, recording every retry and breaker change.
///
/// Retried: what `ModelError.isRetryable` allows (connection, timeout, 408, 409, 429 rate limit, 5xx), waiting
/// `Retry-After` when given. Never retried: quota, context length, authentication, bad request, a cancelled call.
/// Only the retryable errors count toward the breaker. Events (children of
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
        try await call(parent: parent, mayRetry: { true }) { () async throws(ModelError) in try await client.complete(request) }
    }

    /// Sends `request` for a streamed answer, handing each piece to `onDelta` as it arrives; retried and guarded as
    /// `complete`, except that a call that has delivered a piece is never retried (the user may have seen it: a
    /// second answer would not continue the first). Its error then carries the text received
    /// (`ModelError.receivedText`).
    ///
    /// - Throws: the last `ModelError`, or `ControlError.circuitOpen` when the breaker refuses the call.
    public func complete(
        _ request: CompletionRequest, parent: Span, onDelta: @escaping @Sendable (CompletionDelta) -> Void
    ) async throws -> CompletionResponse {
        let delivered = DeliveryMark()
        return try await call(parent: parent, mayRetry: { !delivered.isSet }) { () async throws(ModelError) in
            try await client.stream(request) { delta in
                delivered.set()
                onDelta(delta)
            }
        }
    }

    /// The retry loop around one kind of call; `mayRetry` is asked before each retry.
    private func call(
        parent: Span, mayRetry: () -> Bool, _ attempt: () async throws(ModelError) -> CompletionResponse
    ) async throws -> CompletionResponse {
        var random = SystemRandomNumberGenerator()
        var retry = 0
        while true {
            let admission = breaker.allowCall(at: .now)
            if admission.transition == .halfOpened { _ = try? parent.event(EventKind.circuitHalfOpen, payload: ["service": "model"]) }
            guard admission.allowed else {
                throw ControlError(
                    .circuitOpen,
                    "the model service failed the same way \(breaker.threshold) times in a row; calls are paused for a while")
            }
            do {
                let response = try await attempt()
                if breaker.recordSuccess() == .closed { _ = try? parent.event(EventKind.circuitClosed, payload: ["service": "model"]) }
                return response
            } catch {
                record(error, admission: admission, parent: parent)
                guard error.isRetryable, mayRetry() else { throw error }
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

    /// Tells the breaker about a failed call. Only retryable errors of the service count (connection, timeouts,
    /// 408, 409, 429 rate limits, 5xx): one chat's too-long conversation or bad request says nothing about the
    /// service and must not pause every chat. A trial that ends without a verdict (cancelled, or an error that does
    /// not count) is abandoned, so the next call becomes the trial.
    private func record(_ error: ModelError, admission: CircuitBreaker.Admission, parent: Span) {
        guard error.isRetryable else {
            if admission.isTrial { breaker.abandonTrial() }
            return
        }
        if breaker.recordFailure(signature: Self.signature(of: error), at: .now) == .opened {
            _ = try? parent.event(
                EventKind.circuitOpened, level: .warn,
                payload: ["service": "model", "error": .string(error.message), "open_s": .int(breaker.openDuration.components.seconds)])
        }
    }

    /// The error without what varies between two occurrences of the same failure (numbers, ids).
    static func signature(of error: ModelError) -> String {
        let digitsRemoved = error.message.unicodeScalars.filter { !("0"..."9").contains($0) }
        return "\(error.code)|\(error.providerCode ?? "")|\(String(String.UnicodeScalarView(digitsRemoved)))"
    }
}

/// Whether a streamed call has delivered a piece of its answer.
private final class DeliveryMark: Sendable {
    private let mark = Mutex(false)
    var isSet: Bool { mark.withLock { $0 } }
    func set() { mark.withLock { $0 = true } }
}
