/// A press of an inline button (`CallbackQuery`). Answer it with `answerCallbackQuery`, even with no text.
public struct CallbackQuery: Codable, Sendable, Equatable {
    public var id: String
    public var from: User
    /// The message the button belongs to (`date` is 0 when Telegram no longer gives it: `isAccessible`).
    public var message: Message?
    public var inlineMessageID: String?
    public var chatInstance: String
    /// The button's `callback_data`.
    public var data: String?

    enum CodingKeys: String, CodingKey {
        case id, from, message, data
        case inlineMessageID = "inline_message_id"
        case chatInstance = "chat_instance"
    }
}
