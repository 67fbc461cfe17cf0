import Context
import Events
import Foundation
import Logging
import ProcessControl
import Telegram
import Tools

/// What every part of the running worker shares: its settings, its record, Telegram, the stores, the doorbells.
public struct WorkerContext: Sendable {
    public let settings: WorkerSettings
    public let store: EventStore
    /// The worker's own `process.started`: the parent of everything outside a run.
    public let process: Span
    public let telegram: any TelegramAPI
    /// The bot, as `getMe` describes it.
    public let bot: User
    public let inbox: InboxStore
    public let outbox: OutboxStore
    public let conversation: ConversationStore
    /// Rung when updates were stored: the dispatcher has work.
    public let newUpdates: Doorbell
    /// Rung when messages were queued: the sender has work.
    public let newMessages: Doorbell
    /// Whether `bash` runs sandboxed, unsandboxed (allowed by the operator) or not at all.
    public let sandbox: SandboxStatus
    public let failpoint: Failpoint
    /// Each message's stages, for `make bench` (`AGENT_TRACE_STAGES`).
    public let trace: StageTrace
    public let startedAt: Date
    public let logger: Logger

    public init(
        settings: WorkerSettings, store: EventStore, process: Span, telegram: any TelegramAPI, bot: User, sandbox: SandboxStatus,
        logger: Logger
    ) {
        self.settings = settings
        self.store = store
        self.process = process
        self.telegram = telegram
        self.bot = bot
        self.inbox = InboxStore(store: store, botID: bot.id)
        self.outbox = OutboxStore(store: store)
        self.conversation = ConversationStore(database: store.database)
        self.newUpdates = Doorbell()
        self.newMessages = Doorbell()
        self.sandbox = sandbox
        self.failpoint = Failpoint(settings.failpoint, action: settings.failpointAction)
        self.trace = StageTrace(enabled: settings.traceStages)
        self.startedAt = Date()
        self.logger = logger
    }
}

extension WorkerContext: CustomStringConvertible, CustomReflectable {
    /// The name only: the settings inside hold secrets, and service groups log their services.
    public var description: String { "WorkerContext" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
