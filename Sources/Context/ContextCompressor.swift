/// Makes a history fit: fewer messages, shorter texts.
public protocol ContextCompressor: Sendable {
    func compress(_ history: [StoredMessage]) -> [StoredMessage]
}

/// The naive compressor (SPEC section 9): at most `maxMessages` messages, at most `maxCharacters` characters per
/// message, and tool outputs older than the last `recentToolResults` cut to `oldToolOutputCharacters`.
///
/// A tool call and its result are never separated: when the cut falls between an assistant message with tool calls
/// and its results, the orphaned results are dropped too, so the history starts on a whole exchange.
public struct TruncatingCompressor: ContextCompressor {
    public var maxMessages: Int
    public var maxCharacters: Int
    public var oldToolOutputCharacters: Int
    public var recentToolResults: Int

    public init(maxMessages: Int = 40, maxCharacters: Int = 4000, oldToolOutputCharacters: Int = 2000, recentToolResults: Int = 4) {
        self.maxMessages = maxMessages
        self.maxCharacters = maxCharacters
        self.oldToolOutputCharacters = oldToolOutputCharacters
        self.recentToolResults = recentToolResults
    }

    public func compress(_ history: [StoredMessage]) -> [StoredMessage] {
        var kept = Array(history.suffix(maxMessages))
        while let first = kept.first, first.role == "tool" { kept.removeFirst() }
        var toolResultsSeen = 0
        for index in kept.indices.reversed() {
            let message = kept[index]
            var limit = maxCharacters
            if message.role == "tool" {
                toolResultsSeen += 1
                if toolResultsSeen > recentToolResults { limit = min(limit, oldToolOutputCharacters) }
            }
            if message.content.count > limit {
                kept[index] = message.withContent(
                    String(message.content.prefix(limit)) + "\n[cut: \(message.content.count - limit) more characters]")
            }
        }
        return kept
    }
}

extension StoredMessage {
    func withContent(_ content: String) -> StoredMessage {
        StoredMessage(
            id: id, chatID: chatID, role: role, content: content, toolCalls: toolCalls, toolCallID: toolCallID, toolName: toolName,
            runID: runID, ts: ts)
    }
}
