import Events

/// What one call gave: the envelope, and the refusal when the call never ran.
public struct ToolCallResult: Sendable {
    public var envelope: ToolEnvelope
    /// The reason the call was refused (policy or schema); `nil` when the tool ran, successfully or not.
    public var refusal: ToolsError?
    /// Set when the call ran but its closing event could not be written.
    public var recordingError: EventsError?

    public init(envelope: ToolEnvelope, refusal: ToolsError? = nil, recordingError: EventsError? = nil) {
        self.envelope = envelope
        self.refusal = refusal
        self.recordingError = recordingError
    }

    /// Whether the policy or the schema refused the call (`agent-worker tool` exits 2).
    public var wasRefused: Bool { refusal != nil }
}
