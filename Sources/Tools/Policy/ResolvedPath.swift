/// A path a tool may use: inside the workspace, outside `AGENT_HOME`, symlinks resolved.
public struct ResolvedPath: Sendable, Equatable {
    /// The absolute path, symlinks resolved.
    public let absolute: String
    /// The path relative to the workspace root (`.` for the root itself), as tools print it.
    public let relative: String
    /// Whether something exists there.
    public let exists: Bool
}
