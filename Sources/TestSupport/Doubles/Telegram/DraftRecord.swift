import Foundation

/// One `sendMessageDraft` the Telegram double accepted: what the user saw of a message being written.
public struct DraftRecord: Sendable, Equatable {
    public var chatID: Int64
    public var draftID: Int64
    /// The visible text (HTML parsed away when `parse_mode` was HTML).
    public var text: String
    public var parseMode: String?
    public var receivedAt: Date
}
