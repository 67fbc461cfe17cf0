/// What to start: the program, its arguments and environment, and where its standard streams go.
public struct ProcessSpec: Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        /// `/dev/null`: reading gets end of file at once.
        case null
        /// A pipe the parent holds; the child sees end of file when the parent closes it or dies.
        case pipe
        /// The parent's own standard input.
        case inherit
        /// An open descriptor of the parent (which keeps it and closes it when it likes): a file opened and
        /// checked before the spawn, read by the child without being looked up by path again.
        case descriptor(Int32)
    }

    /// Where a standard output stream of the child goes.
    public enum Output: Sendable {
        /// Discarded.
        case null
        /// The parent's own stream.
        case inherit
        /// A pipe the parent reads (`ChildProcess.output` / `errorOutput`).
        case pipe
        /// A file, created or truncated.
        case file(String)
        /// For standard error only: the same place as standard output.
        case sameAsOutput
        /// An open descriptor of the parent (which keeps it), written by the child without a second look-up by path.
        case descriptor(Int32)
    }

    /// A path, or a name looked up in the parent's `PATH`.
    public var executable: String
    public var arguments: [String]
    /// The child's whole environment; nothing is inherited that is not listed here.
    public var environment: [String: String]
    public var workingDirectory: String?
    /// An open folder of the parent the child starts in (`fchdir`), in place of `workingDirectory`: the folder the
    /// parent checked, even if its path was swapped for a symlink since.
    public var workingDirectoryDescriptor: Int32?
    public var standardInput: Input
    public var standardOutput: Output
    public var standardError: Output
    /// Starts the child in a new session (and process group) whose id is its pid, so that the whole group can
    /// be signalled at once (`ChildProcess.signalGroup`).
    public var newSession: Bool

    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String],
        workingDirectory: String? = nil,
        standardInput: Input = .null,
        standardOutput: Output = .inherit,
        standardError: Output = .inherit,
        newSession: Bool = false
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.newSession = newSession
    }
}
