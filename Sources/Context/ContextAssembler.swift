import Foundation
import ModelAdapter

/// The conversation sent to the model, and its size.
public struct AssembledContext: Sendable, Equatable {
    public let messages: [ChatMessage]
    /// Characters of every text in it.
    public let characters: Int
    /// A rough token estimate (characters / 4), for the record only: real counts come from the provider.
    public var estimatedTokens: Int { (characters + 3) / 4 }
}

/// Puts the conversation together: the system prompt (`AGENT_HOME/AGENT.md` when present, else the built-in one),
/// then the history, then the new message (SPEC section 9). The history keeps only whole tool exchanges
/// (`ToolExchanges`).
public struct ContextAssembler: Sendable {
    /// The prompt used when `AGENT.md` is absent.
    public static let builtInPrompt = """
        You are a personal assistant that people talk to on Telegram. Answer concisely and plainly; use short \
        paragraphs. You may use Telegram HTML (<b>, <i>, <code>, <pre>) but never Markdown. If you do not know \
        something, say so.
        """

    public let systemPromptFile: String?

    /// - Parameter home: `AGENT_HOME`, whose `AGENT.md` replaces the built-in prompt when it exists.
    public init(home: String?) {
        systemPromptFile = home.map { "\($0)/AGENT.md" }
    }

    /// The system prompt in force now (the file is read at each call, so an edit takes effect at the next message).
    public var systemPrompt: String {
        if let systemPromptFile, let text = try? String(contentsOfFile: systemPromptFile, encoding: .utf8),
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        {
            return text
        }
        return Self.builtInPrompt
    }

    public func assemble(history: [StoredMessage], newMessage: String) -> AssembledContext {
        var messages: [ChatMessage] = [.system(systemPrompt)]
        messages += ToolExchanges.wellFormed(history.compactMap(Self.chatMessage))
        messages.append(.user(newMessage))
        return AssembledContext(messages: messages, characters: messages.reduce(0) { $0 + Self.characters($1) })
    }

    /// The message as the model is sent it; `nil` for a role it does not know or a tool result without its call id.
    public static func chatMessage(_ message: StoredMessage) -> ChatMessage? {
        switch message.role {
        case "user": return .user(message.content)
        case "system": return .system(message.content)
        case "assistant":
            return .assistant(message.content.isEmpty ? nil : message.content, toolCalls: StoredToolCalls.decode(message.toolCalls))
        case "tool": return message.toolCallID.map { .tool(callID: $0, content: message.content) }
        default: return nil
        }
    }

    static func characters(_ message: ChatMessage) -> Int {
        switch message {
        case .system(let text), .user(let text): return text.count
        case .assistant(let text, let calls): return (text?.count ?? 0) + calls.reduce(0) { $0 + $1.name.count + $1.arguments.count }
        case .tool(_, let content): return content.count
        }
    }
}
