import Dispatch
import Events
import Logging
import ProcessControl
import Synchronization

/// The supervisor's one way to the database: every read and write runs on one serial queue (never on the
/// cooperative pool, which a locked database would otherwise block) and is retried with backoff while the database
/// fails, so that no database error ever stops the supervision (SPEC section 2: a clear error and a retry later).
///
/// Each failure is logged (the first of an episode and then every tenth, with the error); the recovery is logged
/// with how long it took. A stop ends the retries: the step is then given up and `nil` returned.
public final class SupervisorDatabase: Sendable {
    public let store: EventStore
    private let logger: Logger
    private let stop: StopSignal
    private let retryBase: Duration
    private let retryMax: Duration
    private let queue = DispatchQueue(label: "supervisord-agent.database")
    /// Failed attempts in all, for tests and `process.stopped`.
    private let failures = Atomic<Int>(0)

    public init(
        store: EventStore, logger: Logger, stop: StopSignal, retryBase: Duration = .milliseconds(100), retryMax: Duration = .seconds(5)
    ) {
        self.store = store
        self.logger = logger
        self.stop = stop
        self.retryBase = retryBase
        self.retryMax = retryMax
    }

    /// How many attempts have failed since the start.
    public var failedAttempts: Int { failures.load(ordering: .relaxed) }

    /// Runs `body` until it succeeds; `nil` when the stop came first (or, with `once`, after one failure).
    ///
    /// Errors that a retry cannot mend (a malformed kind, a refused constraint: bugs, not the database's state) are
    /// logged and give `nil` at once.
    public func perform<T: Sendable>(
        _ step: String, once: Bool = false, _ body: @escaping @Sendable (EventStore) throws(EventsError) -> T
    ) async -> T? {
        var delay = retryBase
        var failed = 0
        let started = ContinuousClock.now
        while true {
            let result = await run(body)
            switch result {
            case .success(let value):
                if failed > 0 {
                    logger.notice(
                        "database reachable again",
                        metadata: [
                            "step": "\(step)", "attempts": "\(failed + 1)",
                            "waited_ms": "\((ContinuousClock.now - started).wholeMilliseconds)",
                        ])
                }
                return value
            case .failure(let error):
                failures.add(1, ordering: .relaxed)
                failed += 1
                if error.code == .invalidInput || error.code == .constraint {
                    logger.error("database step refused; skipped", metadata: ["step": "\(step)", "error": "\(error.message)"])
                    return nil
                }
                if failed == 1 || failed % 10 == 0 {
                    logger.warning(
                        "database step failed; retrying",
                        metadata: [
                            "step": "\(step)", "error": "\(error.message)", "attempt": "\(failed)",
                            "retry_in_ms": "\(delay.wholeMilliseconds)",
                        ])
                }
                if once || stop.isRaised { return nil }
                if await stop.sleep(for: delay) { return nil }
                delay = min(delay * 2, retryMax)
            }
        }
    }

    /// Appends one event, retried like `perform`.
    @discardableResult
    public func append(_ event: NewEvent, once: Bool = false) async -> Int64? {
        await perform(event.kind, once: once) { store throws(EventsError) in try store.append(event) }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (EventStore) throws(EventsError) -> T) async -> Result<T, EventsError> {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(EventsError) -> T in try body(self.store) })
            }
        }
    }
}
