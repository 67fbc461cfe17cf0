import Events

/// The result of every tool call, in the exact shape of SPEC section 7.
///
/// `json` prints the keys in the specified order: `ok`, `exit_code`, `stdout`, `stderr`, `truncated`,
/// `next_offset`, `duration_ms`, `error`, `note`; absent values are `null`, never left out.
public struct ToolEnvelope: Sendable, Equatable, Codable {
    /// Whether the tool did what was asked.
    public var ok: Bool
    /// The exit code of the command (`bash`, `grep`), 0 or 1 for tools written in Swift, `null` when nothing ran
    /// or a signal ended the command.
    public var exitCode: Int?
    public var stdout: String
    public var stderr: String
    /// Whether output was left out; `note` then says how to get the rest.
    public var truncated: Bool
    /// For `read`: the 1-based line to pass as `offset` to continue, `null` at the end of the file.
    public var nextOffset: Int?
    public var durationMs: Int
    public var error: String?
    public var note: String?

    public init(
        ok: Bool, exitCode: Int?, stdout: String = "", stderr: String = "", truncated: Bool = false,
        nextOffset: Int? = nil, durationMs: Int = 0, error: String? = nil, note: String? = nil
    ) {
        self.ok = ok
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.truncated = truncated
        self.nextOffset = nextOffset
        self.durationMs = durationMs
        self.error = error
        self.note = note
    }

    /// A tool written in Swift that succeeded (exit code 0).
    public static func success(_ stdout: String, truncated: Bool = false, nextOffset: Int? = nil, note: String? = nil) -> ToolEnvelope {
        ToolEnvelope(ok: true, exitCode: 0, stdout: stdout, truncated: truncated, nextOffset: nextOffset, note: note)
    }

    /// A call that did not succeed: `exitCode` 1 when the tool ran, `nil` when it was refused.
    public static func failure(_ message: String, exitCode: Int?, note: String? = nil) -> ToolEnvelope {
        ToolEnvelope(ok: false, exitCode: exitCode, error: message, note: note)
    }

    enum CodingKeys: String, CodingKey {
        case ok, stdout, stderr, truncated, error, note
        case exitCode = "exit_code"
        case nextOffset = "next_offset"
        case durationMs = "duration_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(stdout, forKey: .stdout)
        try container.encode(stderr, forKey: .stderr)
        try container.encode(truncated, forKey: .truncated)
        try container.encode(nextOffset, forKey: .nextOffset)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(error, forKey: .error)
        try container.encode(note, forKey: .note)
    }

    /// The envelope as one line of JSON, keys in the order of the specification.
    public var json: String {
        let members: [(String, JSONValue)] = [
            ("ok", .bool(ok)), ("exit_code", JSONValue(exitCode)), ("stdout", .string(stdout)), ("stderr", .string(stderr)),
            ("truncated", .bool(truncated)), ("next_offset", JSONValue(nextOffset)), ("duration_ms", JSONValue(durationMs)),
            ("error", JSONValue(error)), ("note", JSONValue(note)),
        ]
        return "{" + members.map { "\(JSONValue.string($0.0).serialized):\($0.1.serialized)" }.joined(separator: ",") + "}"
    }
}
