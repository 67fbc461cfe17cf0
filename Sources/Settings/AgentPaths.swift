import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Where the agent keeps its state (`AGENT_HOME`, `AGENT_DB`) and where its tools may work (`AGENT_WORKSPACE`).
///
/// All three are absolute, resolved against the working directory at start.
public struct AgentPaths: Sendable, Equatable {
    /// The state folder: the database, the artifacts, `AGENT.md`. Never reachable by tools.
    public let home: String
    /// The SQLite file every program shares.
    public let database: String
    /// The git checkout the agent's tools work in.
    public let workspace: String

    public init(home: String, database: String, workspace: String) {
        self.home = home
        self.database = database
        self.workspace = workspace
    }

    /// Reads `AGENT_HOME` (default `./var/home`), `AGENT_DB` (default `AGENT_HOME/agent.db`) and
    /// `AGENT_WORKSPACE` (default `./var/workspace`).
    public init(environment: EnvironmentReader) {
        let home = Self.absolute(environment.string("AGENT_HOME", default: "./var/home"))
        self.init(
            home: home,
            database: Self.absolute(environment.optional("AGENT_DB") ?? "\(home)/agent.db"),
            workspace: Self.absolute(environment.string("AGENT_WORKSPACE", default: "./var/workspace")))
    }

    /// Refuses a layout where the workspace and the home contain one another: tools could then reach the
    /// database or the artifacts.
    public func checkSeparated() throws(ConfigurationError) {
        let home = Self.resolved(self.home)
        let workspace = Self.resolved(self.workspace)
        if Self.contains(home, workspace) || Self.contains(workspace, home) {
            throw ConfigurationError(
                variable: "AGENT_WORKSPACE",
                problem: "\(self.workspace) overlaps AGENT_HOME \(self.home); they must be separate folders")
        }
    }

    /// `path` made absolute against the current directory, with `.` and `..` removed.
    public static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// `path` with symlinks resolved as far as it exists.
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    static func contains(_ outer: String, _ inner: String) -> Bool {
        inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
    }
}
