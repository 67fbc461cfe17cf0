import Events

/// Who the bot of the Telegram double is: what `getMe` answers and what mentions look like.
public struct TelegramBotProfile: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var firstName: String

    public init(id: Int64 = 7_000_000_001, username: String = "agent_test_bot", firstName: String = "Agent") {
        self.id = id
        self.username = username
        self.firstName = firstName
    }

    /// The `User` object of the bot.
    var user: JSONValue {
        [
            "id": .int(id), "is_bot": true, "first_name": .string(firstName), "username": .string(username),
        ]
    }
}
