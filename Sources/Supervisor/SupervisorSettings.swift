import FoundationEssentials
import Settings

#if canImport(Glibc)
    import Glibc
#endif

/// Everything the supervisor reads from the environment (SPEC sections 5 and 10), checked at start.
public struct SupervisorSettings: Sendable, CustomReflectable {
    public var paths: AgentPaths
    /// A worker executable to run (and promote) when nothing is deployed yet: `--worker PATH`.
    public var fallbackWorker: String?
    public var readyTimeout: Duration
    public var watchdog: Duration
    public var backoffBase: Duration
    public var backoffMax: Duration
    public var stableReset: Duration
    public var crashWindow: Duration
    public var crashMax: Int
    public var crashBeforeReadyMax: Int
    public var stopGrace: Duration
    /// How long a deployed revision must stay ready (and keep its watchdog) before it is promoted.
    public var probation: Duration
    /// How often the database is checked for approved artifacts and rollback requests.
    public var updatePoll: Duration
    /// A named point of a deploy at which the supervisor kills itself (`AGENT_FAILPOINT`), for crash tests.
    public var failpoint: SupervisorFailpoint
    public var alertAfter: Duration
    /// How often an alert may be repeated while no worker is ready.
    public var alertRepeat: Duration
    /// The bot token, for admin alerts only; alerts are off without it or without admins.
    public var botToken: Secret?
    public var telegramBase: URL
    public var adminUserIDs: [Int64]
    /// The environment handed to the worker (the supervisor's own, plus AGENT_REV, AGENT_INSTANCE and
    /// AGENT_PARENT_EVENT_ID per spawn).
    public var workerEnvironment: [String: String]

    /// Reads and checks every setting; the first bad one stops the program with one line naming it.
    public init(environment: EnvironmentReader, fallbackWorker: String?) throws(ConfigurationError) {
        paths = AgentPaths(environment: environment)
        try paths.checkSeparated()
        self.fallbackWorker = fallbackWorker.map(AgentPaths.absolute)
        readyTimeout = try environment.seconds("AGENT_READY_TIMEOUT_S", default: 30)
        watchdog = try environment.seconds("AGENT_WATCHDOG_S", default: 60)
        backoffBase = try environment.milliseconds("AGENT_BACKOFF_BASE_MS", default: 1000)
        backoffMax = try environment.seconds("AGENT_BACKOFF_MAX_S", default: 60)
        stableReset = try environment.seconds("AGENT_STABLE_RESET_S", default: 600)
        crashWindow = try environment.seconds("AGENT_CRASH_WINDOW_S", default: 600)
        crashMax = try environment.integer("AGENT_CRASH_MAX", default: 5, in: 1...10_000)
        crashBeforeReadyMax = try environment.integer("AGENT_CRASH_BEFORE_READY_MAX", default: 3, in: 1...10_000)
        stopGrace = try environment.seconds("AGENT_STOP_GRACE_S", default: 10)
        probation = try environment.seconds("AGENT_PROBATION_S", default: 120)
        updatePoll = try environment.milliseconds("AGENT_UPDATE_POLL_MS", default: 200)
        failpoint = SupervisorFailpoint(environment.optional("AGENT_FAILPOINT"))
        alertAfter = try environment.seconds("AGENT_ALERT_AFTER_S", default: 300)
        alertRepeat = try environment.seconds("AGENT_ALERT_REPEAT_S", default: 3600)
        botToken = environment.optional("TELEGRAM_BOT_TOKEN") == nil ? nil : Secret(try environment.secret("TELEGRAM_BOT_TOKEN"))
        telegramBase = try environment.url("TELEGRAM_API_BASE", default: "https://api.telegram.org")
        adminUserIDs = try environment.idList("TELEGRAM_ADMIN_USER_IDS")
        workerEnvironment = environment.values
        workerEnvironment["AGENT_HOME"] = paths.home
        workerEnvironment["AGENT_DB"] = paths.database
        workerEnvironment["AGENT_WORKSPACE"] = paths.workspace
    }

    /// The paths and durations only: the worker's environment holds the secrets.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "paths": paths, "fallbackWorker": fallbackWorker as Any, "readyTimeout": readyTimeout, "watchdog": watchdog,
                "backoffBase": backoffBase, "backoffMax": backoffMax, "crashWindow": crashWindow, "crashMax": crashMax,
                "probation": probation,
            ])
    }
}
