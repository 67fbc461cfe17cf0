import Events

/// A message the bot sent through the Telegram double, as it stands now (edits applied).
public struct SentMessage: Sendable, Equatable {
    public let chatID: Int64
    public let messageID: Int
    /// The visible text (markup parsed away when `parseMode` is HTML).
    public var text: String
    /// The text exactly as the bot sent it.
    public var rawText: String
    public var parseMode: String?
    /// The `reply_markup` object, when one is attached.
    public var replyMarkup: JSONValue?
    /// The message this one answers, when it was sent as a reply.
    public let replyToMessageID: Int?
    /// Earlier raw texts, oldest first, one per `editMessageText`.
    public var previousTexts: [String]
    /// When Telegram received it, Unix seconds.
    public let date: Int

    /// The `callback_data` of every inline button, row by row.
    public var callbackData: [String] {
        (replyMarkup?["inline_keyboard"]?.arrayValue ?? []).flatMap { row in
            (row.arrayValue ?? []).compactMap { $0["callback_data"]?.stringValue }
        }
    }
}
