/// One message of a conversation sent to the model.
public enum ChatMessage: Sendable, Equatable {
    /// Instructions: the system prompt.
    case system(String)
    /// What the user wrote.
    case user(String)
    /// What the model answered: text, tool calls, or both.
    case assistant(String?, toolCalls: [ToolCall] = [])
    /// The result of the tool call `callID`, as text.
    case tool(callID: String, content: String)
}
