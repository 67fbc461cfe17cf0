import Foundation
import Settings

/// What `agent-build` reads from the environment: the paths, each step's command and timeout, where the resolved
/// dependencies come from. A malformed value stops it at start with one line naming the variable.
public struct PipelineSettings: Sendable {
    /// One step's shell command (run with `/bin/sh -c` in the source copy) and its deadline.
    public struct StepCommand: Sendable, Equatable {
        public var command: String
        public var timeout: Duration
    }

    public var paths: AgentPaths
    /// `AGENT_BUILD_COMMAND`, `AGENT_BUILD_TIMEOUT_S` (default 3600).
    public var build: StepCommand
    /// Where the build leaves the worker, relative to the source copy (`AGENT_BUILD_PRODUCT`).
    public var builtWorker: String
    /// `AGENT_TEST_COMMAND`, `AGENT_TEST_TIMEOUT_S` (default 3600).
    public var test: StepCommand
    /// `AGENT_SELF_CHECK_TIMEOUT_S` (default 120): the new binary's `--self-check`.
    public var selfCheckTimeout: Duration
    /// A package folder whose `Package.resolved` and `.build/{repositories,checkouts}` the build reuses, so that
    /// nothing is fetched (`AGENT_BUILD_DEPENDENCIES`, default `AGENT_SOURCE`).
    public var dependencies: String?
    /// The commit the patch applies to when `current_good_rev` has none recorded (`AGENT_SOURCE_COMMIT`).
    public var sourceCommit: String?
    /// `AGENT_ALLOW_UNSANDBOXED_EXEC=1`: run the steps without the fence when bubblewrap does not work.
    public var allowUnfenced: Bool
    /// `AGENT_ARTIFACTS_KEEP` (default 5): artifacts `gc` keeps besides the current and the good one.
    public var keep: Int
    /// The non-secret settings the self-check gets (`AGENT_*`, `TELEGRAM_*`, `OPENAI_*` without secrets or paths).
    public var checkedSettings: [String: String]
    /// The `PATH` of every step.
    public var searchPath: String

    public static let defaultBuildCommand =
        "swift build -c release --product agent-worker --static-swift-stdlib --disable-automatic-resolution"
    public static let defaultTestCommand =
        "swift build --build-tests --disable-automatic-resolution && swift test --skip-build --no-parallel"

    public init(environment: EnvironmentReader) throws(ConfigurationError) {
        paths = AgentPaths(environment: environment)
        try paths.checkSeparated()
        build = StepCommand(
            command: environment.string("AGENT_BUILD_COMMAND", default: Self.defaultBuildCommand),
            timeout: try environment.seconds("AGENT_BUILD_TIMEOUT_S", default: 3600))
        builtWorker = environment.string("AGENT_BUILD_PRODUCT", default: ".build/release/agent-worker")
        test = StepCommand(
            command: environment.string("AGENT_TEST_COMMAND", default: Self.defaultTestCommand),
            timeout: try environment.seconds("AGENT_TEST_TIMEOUT_S", default: 3600))
        selfCheckTimeout = try environment.seconds("AGENT_SELF_CHECK_TIMEOUT_S", default: 120)
        dependencies = (environment.optional("AGENT_BUILD_DEPENDENCIES") ?? environment.optional("AGENT_SOURCE")).map(AgentPaths.absolute)
        sourceCommit = environment.optional("AGENT_SOURCE_COMMIT")
        allowUnfenced = try environment.flag("AGENT_ALLOW_UNSANDBOXED_EXEC")
        keep = try environment.integer("AGENT_ARTIFACTS_KEEP", default: 5, in: 1...1000)
        checkedSettings = environment.values.filter { Self.isCheckedSetting(name: $0.key) }
        searchPath = environment.string("PATH", default: "/usr/local/bin:/usr/bin:/bin")
    }

    /// Words of a variable name that mark a secret: such a variable never enters a step.
    static let secretWords: Set<Substring> = [
        "TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASS", "KEY", "KEYS", "APIKEY", "AUTH", "COOKIE",
        "CREDENTIAL", "CREDENTIALS", "PRIVATE",
    ]

    /// Whether the self-check gets the variable: an agent setting that is neither a secret nor a path of the real
    /// installation (the self-check gets paths of its own).
    static func isCheckedSetting(name: String) -> Bool {
        guard name.hasPrefix("AGENT_") || name.hasPrefix("TELEGRAM_") || name.hasPrefix("OPENAI_") else { return false }
        if ["AGENT_HOME", "AGENT_DB", "AGENT_WORKSPACE", "AGENT_SOURCE", "AGENT_PARENT_EVENT_ID", "AGENT_FAILPOINT"].contains(name) {
            return false
        }
        return !name.split(separator: "_").contains { secretWords.contains($0) }
    }
}
