import Context
import Events
import ProcessControl

/// Writes what the worker answers: the assistant message (for the model's replies), its outbox rows, the inbox
/// row's final status and the run's closing event, all in one transaction, then wakes the sender.
///
/// Once this transaction commits the reply cannot be lost: the sender finds its rows whatever happens to this
/// process. Before it commits nothing of the reply exists, and the update is processed again.
public struct ReplyWriter: Sendable {
    public let context: WorkerContext

    public init(context: WorkerContext) {
        self.context = context
    }

    /// What one answer is made of.
    public struct Answer: Sendable {
        public var text: String
        public var kind: String = "reply"
        public var parseMode: String? = "HTML"
        public var replyToMessageID: Int64?
        /// Whether the text joins the conversation as the assistant's message (the model's answers do; command
        /// answers and apologies do not).
        public var isAssistantMessage = false

        public init(
            text: String, kind: String = "reply", parseMode: String? = "HTML", replyToMessageID: Int64? = nil,
            isAssistantMessage: Bool = false
        ) {
            self.text = text
            self.kind = kind
            self.parseMode = parseMode
            self.replyToMessageID = replyToMessageID
            self.isAssistantMessage = isAssistantMessage
        }
    }

    /// Commits the answer to `chatID` for the inbox row, closing the row with `inboxStatus` and the run with
    /// `closing` (when given).
    public func commit(
        _ answer: Answer, chatID: Int64, inboxID: Int64, runID: Int64?, inboxStatus: String = "done", closing: NewEvent? = nil
    ) throws(EventsError) {
        var parts = MessageSplitter.split(answer.text)
        if parts.isEmpty { parts = ["…"] }
        try context.store.database.write { connection throws(EventsError) in
            var assistantID: Int64?
            if answer.isAssistantMessage {
                assistantID = try context.conversation.append(
                    StoredMessage(id: 0, chatID: chatID, role: "assistant", content: answer.text, runID: runID, ts: InboxStore.now()),
                    inboxID: inboxID, in: connection)
            }
            try context.outbox.enqueue(
                OutgoingMessage(
                    chatID: chatID, text: answer.text, kind: answer.kind, parseMode: answer.parseMode,
                    replyToMessageID: answer.replyToMessageID),
                parts: parts, runID: runID, inboxID: inboxID, assistantMessageID: assistantID, in: connection)
            try context.inbox.finish(inboxID, status: inboxStatus, in: connection)
            if let closing { try context.store.append(closing, in: connection) }
        }
        context.trace.mark(.answerStored, row: inboxID)
        context.newMessages.ring()
    }
}
