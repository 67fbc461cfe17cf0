/// What a stage builds from (`agent-build stage [--patch FILE | --source DIR | --binary PATH]`).
public enum StageSource: Sendable, Equatable {
    /// The patch of `AGENT_WORKSPACE` against the source commit (the default).
    case workspace
    /// A patch file (`git diff --binary` output) applied on a clean copy of the source commit.
    case patch(String)
    /// A source tree built as it is.
    case source(String)
    /// A worker built elsewhere: no build, no tests (recorded so); the self-check still runs.
    case binary(String)

    /// The `mode` of `update.txn.created`.
    public var mode: String {
        switch self {
        case .workspace: "workspace"
        case .patch: "patch"
        case .source: "source"
        case .binary: "binary"
        }
    }
}
