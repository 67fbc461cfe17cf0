/// A revision on trial: deployed (or restored by a rollback) and not yet promoted.
///
/// A deployed revision passes when one of its workers, once `READY`, stays up and keeps its watchdog for
/// `AGENT_PROBATION_S`; a restored one passes at its first `READY`. It fails on a crash loop, or when no worker of
/// it has been `READY` within `AGENT_PROBATION_S` of the switch.
struct Probation: Sendable {
    enum Kind: Sendable, Equatable {
        /// An approved artifact; `span` is its `update.deploy.started`.
        case deploy(artifactID: Int64, span: Int64)
        /// A requested rollback; `request` is its `update.rollback.requested`.
        case restore(request: Int64)
    }

    let kind: Kind
    /// The revision on trial.
    let rev: String
    /// The revision it replaced (`current_good_rev` at the switch).
    let fromRev: String?
    let startedAt: ContinuousClock.Instant
    /// Whether a worker of it has been `READY` since the switch.
    var everReady = false

    /// The parent of the events of this trial.
    var parentEvent: Int64 {
        switch kind {
        case .deploy(_, let span): span
        case .restore(let request): request
        }
    }

    /// Whether a worker ready since `readyAt` has passed, at `now`.
    func passes(readyAt: ContinuousClock.Instant, now: ContinuousClock.Instant, window: Duration) -> Bool {
        switch kind {
        case .deploy: now - readyAt >= window
        case .restore: true
        }
    }

    /// Whether the window ended with no worker of it ever ready.
    func expiredUnready(now: ContinuousClock.Instant, window: Duration) -> Bool {
        !everReady && now - startedAt >= window
    }
}
