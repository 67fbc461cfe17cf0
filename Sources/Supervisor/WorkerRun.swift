import FoundationEssentials
import Settings
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What the supervisor knows of the worker it is running: when it started, whether it is ready, its last beat,
/// and why the supervisor ended it. Shared by the task reading the worker's protocol lines and the task enforcing
/// its deadlines.
final class WorkerRun: Sendable {
    struct State {
        let startedAt: ContinuousClock.Instant
        var readyAt: ContinuousClock.Instant?
        var lastBeat: ContinuousClock.Instant
        /// Why the supervisor ended it, when it did: `ready_timeout`, `watchdog`, `probation_not_ready`, `stopped`,
        /// `replaced` (for a deploy or a rollback).
        var killReason: String?
        var terminateSentAt: ContinuousClock.Instant?
    }

    /// What to do to the worker now.
    enum Action: Equatable {
        case none
        case terminate
        case kill(reason: String)
    }

    private let state: Mutex<State>

    init(startedAt: ContinuousClock.Instant) {
        state = Mutex(State(startedAt: startedAt, lastBeat: startedAt))
    }

    var snapshot: State { state.withLock { $0 } }

    /// Takes one line of the worker's standard output. Returns true when it is the first `READY=1`.
    func receive(_ line: String, at now: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            switch line.trimmingBlanks {
            case "READY=1":
                state.lastBeat = now
                guard state.readyAt == nil else { return false }
                state.readyAt = now
                return true
            case "WATCHDOG=1":
                state.lastBeat = now
                return false
            default:
                return false
            }
        }
    }

    /// Decides what to do at `now`: a requested stop sends SIGTERM then, after the grace period, SIGKILL; a worker
    /// not ready in time (or, on probation, not ready when the window ends), or silent past its watchdog, is killed.
    func check(
        at now: ContinuousClock.Instant, stopping: Bool, stopReason: String = "stopped", probationExpired: Bool = false,
        readyTimeout: Duration, watchdog: Duration, stopGrace: Duration
    ) -> Action {
        state.withLock { state in
            if stopping {
                if let sent = state.terminateSentAt {
                    return now - sent >= stopGrace ? .kill(reason: state.killReason ?? stopReason) : .none
                }
                state.terminateSentAt = now
                state.killReason = state.killReason ?? stopReason
                return .terminate
            }
            if state.killReason != nil { return .none }
            if state.readyAt == nil, probationExpired {
                state.killReason = "probation_not_ready"
                return .kill(reason: "probation_not_ready")
            }
            if state.readyAt == nil, now - state.startedAt >= readyTimeout {
                state.killReason = "ready_timeout"
                return .kill(reason: "ready_timeout")
            }
            if state.readyAt != nil, now - state.lastBeat >= watchdog {
                state.killReason = "watchdog"
                return .kill(reason: "watchdog")
            }
            return .none
        }
    }
}
