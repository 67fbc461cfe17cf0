/// A message (`Message`): what users write and what the bot sends.
public struct Message: Codable, Sendable, Equatable {
    public var messageID: Int
    /// The forum topic, in supergroups with topics.
    public var messageThreadID: Int?
    /// The sender; empty for messages sent on behalf of a chat (`senderChat`).
    public var from: User?
    public var senderChat: Chat?
    /// Unix seconds; 0 for a message Telegram no longer gives (an `InaccessibleMessage`).
    public var date: Int64
    public var chat: Chat
    public var text: String?
    public var entities: [MessageEntity]?
    /// The caption of a photo, a document...: users' words when `text` is empty.
    public var caption: String?
    public var captionEntities: [MessageEntity]?
    public var editDate: Int64?
    public var replyMarkup: InlineKeyboardMarkup?
    /// The group became the supergroup with this id: send there from now on.
    public var migrateToChatID: Int64?
    public var migrateFromChatID: Int64?
    private var replyBox: Box?

    public init(messageID: Int, date: Int64, chat: Chat, from: User? = nil, text: String? = nil, entities: [MessageEntity]? = nil) {
        self.messageID = messageID
        self.date = date
        self.chat = chat
        self.from = from
        self.text = text
        self.entities = entities
    }

    /// The message this one replies to (without its own `replyToMessage`, as Telegram sends it).
    public var replyToMessage: Message? {
        get { replyBox?.message }
        set { replyBox = newValue.map(Box.init) }
    }

    /// Whether Telegram gave the message itself (a callback query's message may be inaccessible: `date` 0).
    public var isAccessible: Bool { date != 0 }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case messageThreadID = "message_thread_id"
        case from
        case senderChat = "sender_chat"
        case date, chat, text, entities, caption
        case captionEntities = "caption_entities"
        case editDate = "edit_date"
        case replyMarkup = "reply_markup"
        case migrateToChatID = "migrate_to_chat_id"
        case migrateFromChatID = "migrate_from_chat_id"
        case replyBox = "reply_to_message"
    }

    /// Holds a message inside a message (`reply_to_message`): a struct cannot contain itself.
    final class Box: Codable, Sendable, Equatable {
        let message: Message

        init(_ message: Message) { self.message = message }

        init(from decoder: any Decoder) throws {
            message = try Message(from: decoder)
        }

        func encode(to encoder: any Encoder) throws {
            try message.encode(to: encoder)
        }

        static func == (lhs: Box, rhs: Box) -> Bool { lhs.message == rhs.message }
    }
}
