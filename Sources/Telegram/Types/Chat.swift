/// A private chat, a group, a supergroup or a channel (`Chat`).
public struct Chat: Codable, Sendable, Equatable {
    /// What kind of chat it is.
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let `private` = Kind(rawValue: "private")
        public static let group = Kind(rawValue: "group")
        public static let supergroup = Kind(rawValue: "supergroup")
        public static let channel = Kind(rawValue: "channel")
    }

    public var id: Int64
    public var type: Kind
    public var title: String?
    public var username: String?
    public var firstName: String?
    public var lastName: String?

    public init(id: Int64, type: Kind, title: String? = nil, username: String? = nil) {
        self.id = id
        self.type = type
        self.title = title
        self.username = username
    }

    /// A group or a supergroup, where the bot answers only when mentioned or replied to.
    public var isGroup: Bool { type == .group || type == .supergroup }

    enum CodingKeys: String, CodingKey {
        case id, type, title, username
        case firstName = "first_name"
        case lastName = "last_name"
    }
}
