import ModelAdapter

/// Keeps every tool call of a history together with its result, as chat-completions APIs require.
///
/// A run cut short (a crash, a limit, `/stop`) can leave an assistant message whose calls have no results, or a
/// compressor's cut can leave results whose call is gone. Sent as they are, the provider refuses the whole request
/// (400: "tool_calls must be followed by tool messages"). So: a result without its call is dropped, a call without
/// its result is dropped from its message, and an assistant message left with neither text nor calls is dropped.
public enum ToolExchanges {
    /// `messages` with only whole exchanges: each call directly followed, among the tool messages after it, by its
    /// result.
    public static func wellFormed(_ messages: [ChatMessage]) -> [ChatMessage] {
        var output: [ChatMessage] = []
        output.reserveCapacity(messages.count)
        var index = 0
        while index < messages.count {
            let message = messages[index]
            index += 1
            switch message {
            case .tool:
                continue  // Its call was not just before it.
            case .assistant(let text, let calls) where !calls.isEmpty:
                var results: [String: String] = [:]
                var order: [String] = []
                while index < messages.count, case .tool(let callID, let content) = messages[index] {
                    if results[callID] == nil { order.append(callID) }
                    results[callID] = content
                    index += 1
                }
                let answered = calls.filter { results[$0.id] != nil }
                if answered.isEmpty {
                    if let text, !text.isEmpty { output.append(.assistant(text, toolCalls: [])) }
                    continue
                }
                output.append(.assistant(text, toolCalls: answered))
                for call in answered { output.append(.tool(callID: call.id, content: results[call.id]!)) }
            default:
                output.append(message)
            }
        }
        return output
    }
}
