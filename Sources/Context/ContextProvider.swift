/// Where the history of a chat comes from: its recent messages of the current session.
public protocol ContextProvider: Sendable {
    /// The newest `limit` messages of the chat's current session before message `beforeID`, oldest first.
    func history(chatID: Int64, before beforeID: Int64, limit: Int) throws -> [StoredMessage]
}

extension ConversationStore: ContextProvider {}
