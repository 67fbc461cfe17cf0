/// A special part of a message text: a mention, a command, a link, bold text... (`MessageEntity`).
///
/// `offset` and `length` count UTF-16 code units, as Telegram does.
public struct MessageEntity: Codable, Sendable, Equatable {
    /// The kind of entity.
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// `@username`.
        public static let mention = Kind(rawValue: "mention")
        /// `/start` or `/start@botname`.
        public static let botCommand = Kind(rawValue: "bot_command")
        /// A mention of a user without a username (`user` is set).
        public static let textMention = Kind(rawValue: "text_mention")
        public static let url = Kind(rawValue: "url")
        public static let textLink = Kind(rawValue: "text_link")
        public static let bold = Kind(rawValue: "bold")
        public static let italic = Kind(rawValue: "italic")
        public static let code = Kind(rawValue: "code")
        public static let pre = Kind(rawValue: "pre")
    }

    public var type: Kind
    public var offset: Int
    public var length: Int
    public var url: String?
    public var user: User?
    public var language: String?

    public init(type: Kind, offset: Int, length: Int, url: String? = nil, user: User? = nil) {
        self.type = type
        self.offset = offset
        self.length = length
        self.url = url
        self.user = user
    }

    /// The part of `text` this entity covers, or `nil` when it lies outside the text.
    public func substring(of text: String) -> String? {
        let units = Array(text.utf16)
        guard offset >= 0, length >= 0, offset + length <= units.count else { return nil }
        return String(decoding: units[offset..<(offset + length)], as: UTF16.self)
    }
}
