/// One Telegram message to send (one part of a reply, or a notice), as stored in `outbox`.
public struct OutboxRow: Sendable, Equatable {
    public let id: Int64
    public let chatID: Int64
    public let text: String
    /// `reply` or `notice`.
    public let kind: String
    public let status: String
    public let attempts: Int
    public let part: Int
    public let parts: Int
    /// `HTML`, or `nil` for plain text.
    public let parseMode: String?
    public let replyToMessageID: Int64?
    /// The inline keyboard, as JSON text.
    public let replyMarkup: String?
    public let runID: Int64?
    /// The inbox row the message answers, if any.
    public let inboxID: Int64?
}

/// A message about to be queued in the outbox.
public struct OutgoingMessage: Sendable, Equatable {
    public var chatID: Int64
    public var text: String
    public var kind: String
    public var parseMode: String?
    public var replyToMessageID: Int64?
    public var replyMarkup: String?

    public init(
        chatID: Int64, text: String, kind: String = "reply", parseMode: String? = "HTML", replyToMessageID: Int64? = nil,
        replyMarkup: String? = nil
    ) {
        self.chatID = chatID
        self.text = text
        self.kind = kind
        self.parseMode = parseMode
        self.replyToMessageID = replyToMessageID
        self.replyMarkup = replyMarkup
    }
}
