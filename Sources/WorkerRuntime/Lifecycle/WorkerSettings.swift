import Control
import Foundation
import ModelAdapter
import Settings
import Telegram
import Tools

/// Everything the worker reads from the environment (SPEC section 10), checked at start: a missing or malformed
/// value stops it with one line naming the variable, never showing a secret.
public struct WorkerSettings: Sendable, CustomReflectable {
    /// Set when the supervisor started the worker (`AGENT_PARENT_EVENT_ID`): it then speaks the stdout protocol
    /// and exits at the end of its stdin.
    public struct Supervision: Sendable, Equatable {
        public let parentEventID: Int64
        public let instance: Int64?
        public let watchdog: Duration
    }

    public var paths: AgentPaths
    public var telegram: TelegramConfiguration
    public var openAI: OpenAIConfiguration
    public var model: String
    public var allowedUserIDs: Set<Int64>
    public var adminUserIDs: Set<Int64>
    public var supervision: Supervision?
    /// The build id: `AGENT_REV` from the supervisor, else computed from the executable.
    public var rev: String?
    /// How long one `getUpdates` waits for an update (seconds).
    public var pollTimeout: Int
    /// How many messages of the chat's session the model sees.
    public var historyLimit: Int
    /// How many chats are served at once (each chat strictly in order).
    public var chatConcurrency: Int
    /// Processing attempts of one update before it is given up with an apology.
    public var maxAttempts: Int
    /// Sending limits: messages per second to one chat, and in all.
    public var sendPerChatPerSecond: Double
    public var sendTotalPerSecond: Double
    /// How model calls are retried (`AGENT_MODEL_MAX_RETRIES`, `AGENT_MODEL_RETRY_BASE_MS`, `AGENT_MODEL_RETRY_CAP_MS`).
    public var retryPolicy: RetryPolicy
    /// How long a run goes before "typing..." is shown (`AGENT_TYPING_DELAY_MS`, 1000).
    public var typingDelay: Duration
    /// How long the circuit breaker refuses model calls once open (`AGENT_CIRCUIT_OPEN_S`, 60), before one trial.
    public var circuitOpen: Duration
    /// Whether answers stream into Telegram drafts in private chats (`AGENT_STREAM`: `draft`, the default, or `off`).
    public var stream: StreamMode
    /// The least time between two drafts in a chat (`AGENT_DRAFT_INTERVAL_MS`, 250).
    public var draftInterval: Duration
    /// The limits of a run and of a day's spending (SPEC section 8).
    public var limits: RunLimits
    /// What the agent's tools may do (AGENT_TOOLS, AGENT_TOOL_TIERS, AGENT_ALLOW_UNSANDBOXED_EXEC...: docs/tools.md).
    public var toolPolicy: ToolPolicy
    /// A named point at which the worker kills itself with SIGKILL (`AGENT_FAILPOINT`), for crash tests.
    public var failpoint: String?
    /// What the failpoint does (`AGENT_FAILPOINT_ACTION`: `kill`, the default, or `hang`).
    public var failpointAction: Failpoint.Action
    /// How long the dispatcher's and the sender's work in flight may go without progress, beyond the steps that get
    /// their own allowance (`AGENT_STALL_S`, 120): past it the worker withholds its watchdog beat.
    public var stallAllowance: Duration
    /// Whether each message's stages are timed and written to stderr (`AGENT_TRACE_STAGES=1`, for `make bench`).
    public var traceStages: Bool
    /// Values that must never be stored or printed.
    public var secrets: [Secret]

    public init(environment: EnvironmentReader, executableRev: @autoclosure () -> String?) throws(ConfigurationError) {
        paths = AgentPaths(environment: environment)
        try paths.checkSeparated()
        let token = try environment.secret("TELEGRAM_BOT_TOKEN")
        let apiKey = try environment.secret("OPENAI_API_KEY")
        do {
            telegram = try TelegramConfiguration.fromEnvironment(environment.values)
        } catch {
            throw Self.configurationError(error.message)
        }
        do {
            openAI = try OpenAIConfiguration.fromEnvironment(environment.values)
        } catch {
            throw Self.configurationError(error.message)
        }
        telegram.requestTimeout = try environment.seconds("AGENT_TELEGRAM_TIMEOUT_S", default: 15)
        telegram.longPollGrace = try environment.seconds("AGENT_TELEGRAM_POLL_GRACE_S", default: 10)
        openAI.requestTimeout = try environment.seconds("AGENT_MODEL_TIMEOUT_S", default: 120)
        model = environment.string("OPENAI_MODEL", default: "gpt-4o-mini")
        guard environment.optional("TELEGRAM_ALLOWED_USER_IDS") != nil else {
            throw ConfigurationError(
                variable: "TELEGRAM_ALLOWED_USER_IDS",
                problem: "is required: the comma-separated Telegram user ids the agent answers (0 for nobody)")
        }
        allowedUserIDs = Set(try environment.idList("TELEGRAM_ALLOWED_USER_IDS"))
        adminUserIDs = Set(try environment.idList("TELEGRAM_ADMIN_USER_IDS"))
        let watchdog = try environment.seconds("AGENT_WATCHDOG_S", default: 60)
        if let parent = environment.optional("AGENT_PARENT_EVENT_ID") {
            guard let parentID = Int64(parent) else {
                throw ConfigurationError(variable: "AGENT_PARENT_EVENT_ID", problem: "must be an event id, got \"\(parent)\"")
            }
            supervision = Supervision(
                parentEventID: parentID,
                instance: environment.optional("AGENT_INSTANCE") == nil
                    ? nil : Int64(try environment.integer("AGENT_INSTANCE", default: 0)),
                watchdog: watchdog)
        }
        rev = environment.optional("AGENT_REV") ?? executableRev()
        pollTimeout = try environment.integer("AGENT_POLL_TIMEOUT_S", default: 30, in: 0...50)
        historyLimit = try environment.integer("AGENT_HISTORY_MESSAGES", default: 40, in: 0...1000)
        chatConcurrency = try environment.integer("AGENT_CHAT_CONCURRENCY", default: 8, in: 1...256)
        maxAttempts = try environment.integer("AGENT_MAX_ATTEMPTS", default: 3, in: 1...100)
        sendPerChatPerSecond = try environment.number("AGENT_SEND_PER_CHAT_PER_S", default: 1, in: 0.01...100_000)
        sendTotalPerSecond = try environment.number("AGENT_SEND_TOTAL_PER_S", default: 30, in: 0.01...100_000)
        retryPolicy = RetryPolicy(
            maxRetries: try environment.integer("AGENT_MODEL_MAX_RETRIES", default: 3, in: 0...20),
            base: try environment.milliseconds("AGENT_MODEL_RETRY_BASE_MS", default: 500),
            cap: try environment.milliseconds("AGENT_MODEL_RETRY_CAP_MS", default: 8000))
        circuitOpen = try environment.seconds("AGENT_CIRCUIT_OPEN_S", default: 60)
        typingDelay = try environment.milliseconds("AGENT_TYPING_DELAY_MS", default: 1000)
        let streamText = environment.string("AGENT_STREAM", default: StreamMode.draft.rawValue)
        guard let stream = StreamMode(rawValue: streamText.lowercased()) else {
            throw ConfigurationError(variable: "AGENT_STREAM", problem: "must be draft or off, got \"\(streamText)\"")
        }
        self.stream = stream
        draftInterval = try environment.milliseconds("AGENT_DRAFT_INTERVAL_MS", default: 250)
        limits = try RunLimits(environment: environment)
        toolPolicy = try ToolPolicy(environment: environment, knownTools: WorkerTools.names)
        failpoint = environment.optional("AGENT_FAILPOINT")
        let action = environment.string("AGENT_FAILPOINT_ACTION", default: "kill")
        guard let failpointAction = Failpoint.Action(rawValue: action) else {
            throw ConfigurationError(variable: "AGENT_FAILPOINT_ACTION", problem: "must be kill or hang, got \"\(action)\"")
        }
        self.failpointAction = failpointAction
        stallAllowance = try environment.seconds("AGENT_STALL_S", default: 120)
        traceStages = environment.optional("AGENT_TRACE_STAGES") == "1"
        secrets = [Secret(token), Secret(apiKey)]
    }

    /// The adapters' configuration errors already start with the variable's name: `NAME: problem`.
    private static func configurationError(_ message: String) -> ConfigurationError {
        let parts = message.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { return ConfigurationError(variable: "configuration", problem: message) }
        return ConfigurationError(variable: String(parts[0]), problem: parts[1].trimmingCharacters(in: .whitespaces))
    }

    /// What a dump or a log line may show: never the secrets, nor the tool policy (which knows them to mask them).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "paths": paths, "model": model, "supervision": supervision as Any, "rev": rev as Any,
                "allowedUserIDs": allowedUserIDs.sorted(), "adminUserIDs": adminUserIDs.sorted(),
            ])
    }
}
