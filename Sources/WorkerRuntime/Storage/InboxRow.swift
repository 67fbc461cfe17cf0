/// One Telegram update as stored in `inbox`.
public struct InboxRow: Sendable, Equatable {
    /// The row id (not the update id).
    public let id: Int64
    public let updateID: Int64
    public let chatID: Int64?
    public let userID: Int64?
    /// The update exactly as Telegram sent it.
    public let raw: String
    public let status: String
    /// Processing attempts made so far.
    public let attempts: Int
}

/// What the poller stores of an update before it confirms it.
public struct IncomingUpdate: Sendable, Equatable {
    public let updateID: Int64
    public let chatID: Int64?
    public let userID: Int64?
    public let raw: String

    public init(updateID: Int64, chatID: Int64?, userID: Int64?, raw: String) {
        self.updateID = updateID
        self.chatID = chatID
        self.userID = userID
        self.raw = raw
    }
}
