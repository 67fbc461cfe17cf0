/// One call of the model: the conversation, the tools it may call and the limits of its answer.
public struct CompletionRequest: Sendable, Equatable {
    /// How the model may use the tools.
    public enum ToolChoice: Sendable, Equatable {
        /// The model decides (the default when there are tools).
        case auto
        /// No tool calls (`"none"`).
        case disabled
        /// At least one tool call.
        case required
        /// This one tool.
        case function(String)
    }

    public var model: String
    public var messages: [ChatMessage]
    public var tools: [ToolDefinition]
    public var toolChoice: ToolChoice?
    /// The most tokens the answer may have (`max_completion_tokens`).
    public var maxOutputTokens: Int?
    public var temperature: Double?
    /// Whether the model may ask for several tool calls in one answer; sent only with tools.
    public var parallelToolCalls: Bool?

    public init(
        model: String, messages: [ChatMessage], tools: [ToolDefinition] = [], toolChoice: ToolChoice? = nil,
        maxOutputTokens: Int? = nil, temperature: Double? = nil, parallelToolCalls: Bool? = nil
    ) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.maxOutputTokens = maxOutputTokens
        self.temperature = temperature
        self.parallelToolCalls = parallelToolCalls
    }
}
