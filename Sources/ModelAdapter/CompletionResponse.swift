/// The model's answer, the same for every provider.
///
/// Token counts come from the provider's `usage` and are never estimated: an answer without usage has them `nil`
/// (unknown), not 0.
public struct CompletionResponse: Sendable, Equatable {
    /// Why the model stopped.
    public struct FinishReason: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A natural end of the answer.
        public static let stop = FinishReason(rawValue: "stop")
        /// The answer hit `maxOutputTokens` (or the context's end): it is cut.
        public static let length = FinishReason(rawValue: "length")
        /// The answer asks for tool calls.
        public static let toolCalls = FinishReason(rawValue: "tool_calls")
        /// The provider's filter removed content.
        public static let contentFilter = FinishReason(rawValue: "content_filter")
        /// The provider gave none.
        public static let unknown = FinishReason(rawValue: "unknown")
    }

    /// The text of the answer; `nil` when there is none (only tool calls).
    public var text: String?
    public var toolCalls: [ToolCall]
    /// `toolCalls` whenever tool calls are present, whatever the provider said (some say `stop`).
    public var finishReason: FinishReason
    /// What the provider said, unchanged.
    public var providerFinishReason: String?
    /// Prompt tokens (`usage.prompt_tokens`), `nil` when unknown.
    public var inputTokens: Int?
    /// Answer tokens (`usage.completion_tokens`), `nil` when unknown.
    public var outputTokens: Int?
    /// Prompt tokens served from the provider's cache (`usage.prompt_tokens_details.cached_tokens`), `nil` when unknown.
    public var cachedTokens: Int?
    /// The model that answered, as the provider names it.
    public var model: String
    /// From sending the request to having the whole answer.
    public var latency: Duration
    /// The provider's id of the answer.
    public var id: String?
    /// The model's refusal text, when it refused.
    public var refusal: String?
    /// Whether the answer came as a stream of server-sent events (false when the server ignored `stream` and sent
    /// one JSON body, and for every unstreamed call).
    public var streamed: Bool
    /// From sending the request to the first piece of the answer (text or tool call), for a streamed answer.
    public var firstTokenLatency: Duration?

    public init(
        text: String?, toolCalls: [ToolCall], finishReason: FinishReason, providerFinishReason: String? = nil,
        inputTokens: Int?, outputTokens: Int?, cachedTokens: Int?, model: String, latency: Duration, id: String? = nil,
        refusal: String? = nil, streamed: Bool = false, firstTokenLatency: Duration? = nil
    ) {
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.providerFinishReason = providerFinishReason
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.model = model
        self.latency = latency
        self.id = id
        self.refusal = refusal
        self.streamed = streamed
        self.firstTokenLatency = firstTokenLatency
    }

    /// Whether the provider reported the token counts of this answer.
    public var hasUsage: Bool { inputTokens != nil && outputTokens != nil }
}
