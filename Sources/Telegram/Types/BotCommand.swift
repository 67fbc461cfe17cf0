/// A command in the bot's menu (`BotCommand`): `command` is 1-32 of `a-z0-9_`, `description` 1-256 characters.
public struct BotCommand: Codable, Sendable, Equatable {
    public var command: String
    public var description: String

    public init(_ command: String, _ description: String) {
        self.command = command
        self.description = description
    }
}
