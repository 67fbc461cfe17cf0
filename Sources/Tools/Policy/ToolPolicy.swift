import Foundation
import Settings

/// What the tools may do: which tools and tiers, where (the workspace), never where (`AGENT_HOME`, the database),
/// how much output, and the environment commands get.
public struct ToolPolicy: Sendable {
    /// The workspace root, symlinks resolved: every path must resolve inside it.
    public let workspace: String
    /// `AGENT_HOME`, symlinks resolved: always refused, hidden from commands.
    public let home: String
    /// The database and its companion files (`-wal`, `-shm`, `.lock`): always refused, hidden from commands.
    public let databaseFiles: [String]
    public let allowedTools: Set<String>
    public let allowedTiers: Set<ToolTier>
    /// `AGENT_ALLOW_UNSANDBOXED_EXEC=1`: run `bash` without a sandbox when none works.
    public let allowUnsandboxedExec: Bool
    public let limits: ToolLimits
    /// The environment of `bash` commands: the worker's, without secrets.
    public let commandEnvironment: [String: String]
    /// Masks the removed secrets (and secret-shaped words) in recorded arguments.
    public let secretMasker: SecretMasker

    /// The tiers allowed when `AGENT_TOOL_TIERS` is unset: all but `network`.
    public static let defaultTiers: Set<ToolTier> = [.read, .write, .exec]

    /// - Parameters:
    ///   - paths: the workspace (which must exist), the home and the database.
    ///   - environment: the worker's environment; commands get it without its secrets.
    /// - Throws: `ConfigurationError` when the workspace is missing or overlaps the home.
    public init(
        paths: AgentPaths,
        allowedTools: Set<String> = Set(ToolRegistry.builtinNames),
        allowedTiers: Set<ToolTier> = ToolPolicy.defaultTiers,
        allowUnsandboxedExec: Bool = false,
        limits: ToolLimits = ToolLimits(),
        environment: [String: String]
    ) throws(ConfigurationError) {
        try paths.checkSeparated()
        guard let workspace = try? PathWalker.resolve(paths.workspace, from: "/"), workspace.exists,
            (try? FileManager.default.attributesOfItem(atPath: workspace.path)[.type] as? FileAttributeType) == .typeDirectory
        else {
            throw ConfigurationError(variable: "AGENT_WORKSPACE", problem: "\(paths.workspace) is not an existing folder")
        }
        self.workspace = workspace.path
        self.home = (try? PathWalker.resolve(paths.home, from: "/").path) ?? paths.home
        self.databaseFiles = ["", "-wal", "-shm", "-journal", ".lock", ".worker.lock"].map { suffix in
            (try? PathWalker.resolve(paths.database + suffix, from: "/").path) ?? paths.database + suffix
        }
        self.allowedTools = allowedTools
        self.allowedTiers = allowedTiers
        self.allowUnsandboxedExec = allowUnsandboxedExec
        self.limits = limits
        let filtered = CommandEnvironment.filter(environment)
        self.commandEnvironment = filtered.kept
        self.secretMasker = SecretMasker(values: filtered.secrets)
    }

    /// The policy from the environment: `AGENT_WORKSPACE`, `AGENT_HOME`, `AGENT_DB`, `AGENT_TOOLS` (comma list,
    /// default every tool in `knownTools`), `AGENT_TOOL_TIERS` (comma list, default `read,write,exec`),
    /// `AGENT_ALLOW_UNSANDBOXED_EXEC` and the limits of `ToolLimits`.
    public init(environment: EnvironmentReader, knownTools: [String] = ToolRegistry.builtinNames) throws(ConfigurationError) {
        let tools = try Self.list("AGENT_TOOLS", in: environment, known: knownTools) ?? knownTools
        let tiers = try Self.list("AGENT_TOOL_TIERS", in: environment, known: ToolTier.allCases.map(\.rawValue))
        try self.init(
            paths: AgentPaths(environment: environment),
            allowedTools: Set(tools),
            allowedTiers: tiers.map { Set($0.compactMap(ToolTier.init(rawValue:))) } ?? Self.defaultTiers,
            allowUnsandboxedExec: try environment.flag("AGENT_ALLOW_UNSANDBOXED_EXEC"),
            limits: try ToolLimits(environment: environment),
            environment: environment.values)
    }

    /// A comma list of names from `known`; `nil` when unset. `none` is the empty list.
    private static func list(_ variable: String, in environment: EnvironmentReader, known: [String]) throws(ConfigurationError) -> [String]?
    {
        guard let text = environment.optional(variable) else { return nil }
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if names == ["none"] { return [] }
        for name in names where !known.contains(name) {
            throw ConfigurationError(
                variable: variable, problem: "unknown name \"\(name)\"; known: \(known.joined(separator: ", ")) (or none)")
        }
        return names
    }
}
