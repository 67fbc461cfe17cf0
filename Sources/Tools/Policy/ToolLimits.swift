import Settings

/// The numbers that bound what a tool returns and how long it runs; defaults from SPEC section 7.
public struct ToolLimits: Sendable, Equatable {
    /// The most bytes of output in one envelope (`read`'s page, `bash`'s tail, listings).
    public var outputBytes: Int
    /// The most lines of output in one envelope.
    public var outputLines: Int
    /// The longest line `grep` shows, in characters.
    public var lineCharacters: Int
    /// The `timeout_s` of `bash` when the call gives none.
    public var bashDefaultTimeout: Int
    /// The largest `timeout_s` a call may ask for.
    public var bashMaximumTimeout: Int
    /// The largest file a `bash` command may write, in MiB.
    public var bashMaxFileMB: Int
    /// The most processes (and threads) a `bash` command may have at once, bubblewrap's own included.
    public var bashMaxProcesses: Int

    public init(
        outputBytes: Int = 50 * 1024, outputLines: Int = 2000, lineCharacters: Int = 500, bashDefaultTimeout: Int = 120,
        bashMaximumTimeout: Int = 600, bashMaxFileMB: Int = 1024, bashMaxProcesses: Int = 256
    ) {
        self.outputBytes = outputBytes
        self.outputLines = outputLines
        self.lineCharacters = lineCharacters
        self.bashDefaultTimeout = bashDefaultTimeout
        self.bashMaximumTimeout = bashMaximumTimeout
        self.bashMaxFileMB = bashMaxFileMB
        self.bashMaxProcesses = bashMaxProcesses
    }

    /// Reads `AGENT_TOOL_OUTPUT_BYTES` (51200), `AGENT_TOOL_OUTPUT_LINES` (2000), `AGENT_GREP_LINE_CHARS` (500),
    /// `AGENT_BASH_TIMEOUT_S` (120), `AGENT_BASH_MAX_TIMEOUT_S` (600), `AGENT_BASH_MAX_FILE_MB` (1024) and
    /// `AGENT_BASH_MAX_PROCS` (256).
    public init(environment: EnvironmentReader) throws(ConfigurationError) {
        let maximum = try environment.integer("AGENT_BASH_MAX_TIMEOUT_S", default: 600, in: 1...86_400)
        self.init(
            outputBytes: try environment.integer("AGENT_TOOL_OUTPUT_BYTES", default: 50 * 1024, in: 1024...(16 << 20)),
            outputLines: try environment.integer("AGENT_TOOL_OUTPUT_LINES", default: 2000, in: 10...1_000_000),
            lineCharacters: try environment.integer("AGENT_GREP_LINE_CHARS", default: 500, in: 40...100_000),
            bashDefaultTimeout: try environment.integer("AGENT_BASH_TIMEOUT_S", default: min(120, maximum), in: 1...maximum),
            bashMaximumTimeout: maximum,
            bashMaxFileMB: try environment.integer("AGENT_BASH_MAX_FILE_MB", default: 1024, in: 1...(1 << 20)),
            bashMaxProcesses: try environment.integer("AGENT_BASH_MAX_PROCS", default: 256, in: 8...(1 << 22)))
    }
}
