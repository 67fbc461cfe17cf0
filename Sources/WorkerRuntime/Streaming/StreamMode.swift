/// Whether answers stream into Telegram drafts while the model writes them (`AGENT_STREAM`).
public enum StreamMode: String, Sendable, CaseIterable {
    /// Private chats see the answer grow in a `sendMessageDraft` preview; groups see "typing..." only.
    case draft
    /// No streaming: the model is called without `stream`, and only the final message is sent.
    case off
}
