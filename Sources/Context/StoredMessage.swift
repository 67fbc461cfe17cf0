/// One message of a chat's conversation, as stored in `messages`.
public struct StoredMessage: Sendable, Equatable {
    public let id: Int64
    public let chatID: Int64
    /// `user`, `assistant`, `tool` or `system`.
    public let role: String
    public let content: String
    /// The assistant's tool calls, as the JSON array the model sent.
    public let toolCalls: String?
    public let toolCallID: String?
    public let toolName: String?
    public let runID: Int64?
    public let ts: Int64

    public init(
        id: Int64, chatID: Int64, role: String, content: String, toolCalls: String? = nil, toolCallID: String? = nil,
        toolName: String? = nil, runID: Int64? = nil, ts: Int64
    ) {
        self.id = id
        self.chatID = chatID
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.toolName = toolName
        self.runID = runID
        self.ts = ts
    }
}
