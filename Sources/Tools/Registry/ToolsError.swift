/// The one error type of `Tools`: a call refused before it ran, or a tool that ran and failed.
///
/// Refusals (every code but `.failed`) come from the policy or the input schema; `agent-worker tool` exits 2 for
/// them. A `.failed` error becomes an envelope with `ok: false` and exit code 1: the tool ran.
public struct ToolsError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, to match on.
    public enum Code: Sendable, Equatable {
        /// No tool has this name.
        case unknownTool
        /// The tool exists but the allowlist (`AGENT_TOOLS`) leaves it out.
        case toolNotAllowed
        /// The tool's tier is not allowed (`AGENT_TOOL_TIERS`).
        case tierNotAllowed
        /// The `exec` tier is off: no sandbox works here and unsandboxed execution was not allowed.
        case execDisabled
        /// The arguments are not JSON, not an object, or do not match the tool's schema.
        case invalidArguments
        /// The path resolves (symlinks included) outside the workspace.
        case outsideWorkspace
        /// The path resolves under `AGENT_HOME` or to the database.
        case protectedPath
        /// The path cannot be resolved: a symlink loop, a file used as a folder, a name too long.
        case unresolvablePath
        /// The tool ran and could not do what was asked (a missing file, an ambiguous edit).
        case failed
    }

    public let code: Code
    /// One line for the model and the operator: what was refused or failed, and what to do instead.
    public let message: String
    public let file: String
    public let line: UInt

    public init(_ code: Code, _ message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    /// Whether the call was refused before the tool ran (policy or schema), as opposed to a tool that failed.
    public var isRefusal: Bool { code != .failed }

    public var description: String { message }
}
