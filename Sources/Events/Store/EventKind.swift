/// The event kinds that SPEC section 3 names, so that writers and readers spell them once.
///
/// Other kinds are welcome as long as they have the same `noun.verb` form (`isWellFormed`).
public enum EventKind {
    public static let processStarted = "process.started"
    public static let processStopped = "process.stopped"

    public static let workerSpawned = "worker.spawned"
    public static let workerReady = "worker.ready"
    public static let workerExited = "worker.exited"
    public static let workerRestartScheduled = "worker.restart_scheduled"
    public static let crashLoopDetected = "crash_loop.detected"
    public static let rollbackAttempted = "rollback.attempted"
    public static let revisionPromoted = "revision.promoted"
    public static let alertSent = "alert.sent"

    public static let telegramUpdateReceived = "telegram.update_received"
    public static let telegramUnauthorized = "telegram.unauthorized"
    public static let telegramError = "telegram.error"
    public static let replySent = "reply.sent"
    /// A turn whose answer streamed into a Telegram draft: how many drafts, how soon the first (one per turn).
    public static let replyDrafted = "reply.drafted"
    /// A user sent a command (`/status`, ...): answered without the model.
    public static let commandReceived = "command.received"
    /// An update was given up after its last attempt (a poison message).
    public static let inboxFailed = "inbox.failed"
    /// A button press from someone who may not press it.
    public static let callbackRefused = "callback.refused"

    public static let agentStarted = "agent.started"
    public static let agentCompleted = "agent.completed"
    public static let agentFailed = "agent.failed"
    public static let turnStarted = "turn.started"
    public static let turnCompleted = "turn.completed"
    public static let modelCompleted = "model.completed"
    public static let modelFailed = "model.failed"
    public static let toolCallStarted = "tool_call.started"
    public static let toolCallCompleted = "tool_call.completed"
    public static let toolCallFailed = "tool_call.failed"
    public static let contextAssembled = "context.assembled"

    public static let controlLimitReached = "control.limit_reached"
    public static let retryScheduled = "retry.scheduled"
    public static let retryExhausted = "retry.exhausted"
    public static let circuitOpened = "circuit.opened"
    public static let circuitHalfOpen = "circuit.half_open"
    public static let circuitClosed = "circuit.closed"
    public static let progressStalled = "progress.stalled"
    /// A limit that a run cannot enforce (the cost limit when a model's price or a turn's usage is unknown), said
    /// once per run.
    public static let controlLimitUnenforceable = "control.limit_unenforceable"

    /// The self-update pipeline (SPEC section 6): one stage is one tree under `update.txn.created`.
    public static let updateTxnCreated = "update.txn.created"
    public static let updateBuildStarted = "update.build.started"
    public static let updateBuildCompleted = "update.build.completed"
    public static let updateBuildFailed = "update.build.failed"
    public static let updateTestStarted = "update.test.started"
    public static let updateTestCompleted = "update.test.completed"
    public static let updateTestFailed = "update.test.failed"
    public static let updateSelfCheckStarted = "update.self_check.started"
    public static let updateSelfCheckCompleted = "update.self_check.completed"
    public static let updateSelfCheckFailed = "update.self_check.failed"
    public static let updateArtifactStaged = "update.artifact.staged"
    public static let updateApproved = "update.approved"
    public static let updateRejected = "update.rejected"
    public static let updateDeployStarted = "update.deploy.started"
    public static let updateDeployCompleted = "update.deploy.completed"
    public static let updateDeployFailed = "update.deploy.failed"
    public static let updateRollbackRequested = "update.rollback.requested"
    public static let updateRollbackCompleted = "update.rollback.completed"
    /// The worker queued the admins' notice of an update event (`about`: its id), in the same transaction as the
    /// outbox rows: each event is told once.
    public static let updateNoticeQueued = "update.notice.queued"

    /// Whether `kind` has the `noun.verb` form: lowercase ASCII words of letters, digits and `_`, joined by dots,
    /// at least two of them, each starting with a letter.
    public static func isWellFormed(_ kind: String) -> Bool {
        var words = 0
        var atWordStart = true
        for byte in kind.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                if atWordStart { words += 1 }
                atWordStart = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                if atWordStart { return false }
            case UInt8(ascii: "."):
                if atWordStart { return false }
                atWordStart = true
            default:
                return false
            }
        }
        return words >= 2 && !atWordStart && kind.utf8.count <= 64
    }

    /// The kinds that close a span opened by `openingKind`, or `nil` when that kind opens no span.
    public static func closingKinds(of openingKind: String) -> [String]? {
        switch openingKind {
        case processStarted: return [processStopped]
        case workerSpawned: return [workerExited]
        default:
            guard openingKind.hasSuffix(".started") else { return nil }
            let noun = openingKind.dropLast(".started".count)
            return ["\(noun).completed", "\(noun).failed"]
        }
    }
}
