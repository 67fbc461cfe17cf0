import Context
import ModelAdapter

/// The messages one run added after the user's message, in the order the model must see them, and the tool calls
/// the last answer asked for that have no result yet.
///
/// A run resumed after a crash starts from what its earlier attempts stored (`resumed(from:)`): their whole
/// exchanges are kept, and the calls of the last answer that never got a result are run again; a call whose result
/// was stored is never run twice.
public struct RunTranscript: Sendable {
    public init() {}

    public private(set) var messages: [ChatMessage] = []
    /// Calls of the last answer still to run, in order.
    public private(set) var pendingCalls: [ToolCall] = []
    /// Model answers already stored by earlier attempts (each was one step).
    public private(set) var stepsTaken = 0

    /// The transcript that earlier attempts at the same message left in `messages`.
    public static func resumed(from stored: [StoredMessage]) -> RunTranscript {
        var transcript = RunTranscript()
        let converted = stored.compactMap(ContextAssembler.chatMessage)
        transcript.stepsTaken = stored.filter { $0.role == "assistant" }.count
        guard let last = converted.lastIndex(where: { if case .assistant(_, let calls) = $0 { !calls.isEmpty } else { false } }),
            case .assistant(let text, let calls) = converted[last]
        else {
            transcript.messages = ToolExchanges.wellFormed(converted)
            return transcript
        }
        var results: [String: String] = [:]
        for message in converted[(last + 1)...] {
            if case .tool(let callID, let content) = message { results[callID] = content }
        }
        transcript.messages = ToolExchanges.wellFormed(Array(converted[..<last]))
        transcript.messages.append(.assistant(text, toolCalls: calls))
        for call in calls {
            if let content = results[call.id] {
                transcript.messages.append(.tool(callID: call.id, content: content))
            } else {
                transcript.pendingCalls.append(call)
            }
        }
        return transcript
    }

    /// Records an answer of the model; its tool calls become pending.
    mutating func append(answer text: String?, calls: [ToolCall]) {
        messages.append(.assistant(text, toolCalls: calls))
        pendingCalls = calls
    }

    /// Records the result of the pending call `callID`.
    mutating func append(resultOf callID: String, content: String) {
        messages.append(.tool(callID: callID, content: content))
        pendingCalls.removeAll { $0.id == callID }
    }
}
