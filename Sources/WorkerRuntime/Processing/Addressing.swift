import Foundation
import Telegram

/// Whether a message is for the bot, and its text without the bot's name.
///
/// In a private chat every message is. In a group only one that mentions the bot (`@name` or a text mention),
/// replies to one of its messages, or is a command (`/help`, or `/help@name`; a command addressed to another bot
/// is not for this one).
public enum Addressing {
    /// The text to act on when the message is for the bot, else `nil`.
    public static func text(of message: Message, bot: User) -> String? {
        guard let text = message.text ?? message.caption else { return nil }
        let username = bot.username.map { "@" + $0.lowercased() }
        if let command = text.split(separator: " ", maxSplits: 1).first, command.hasPrefix("/"), command.contains("@") {
            let target = command[command.firstIndex(of: "@")!...].lowercased()
            return target == username ? text : nil
        }
        guard message.chat.isGroup else { return text }
        if text.hasPrefix("/") { return text }
        if message.replyToMessage?.from?.id == bot.id { return text }
        let entities = (message.entities ?? []) + (message.captionEntities ?? [])
        for entity in entities {
            if entity.type == .textMention, entity.user?.id == bot.id { return text }
            if entity.type == .mention, let username, entity.substring(of: text)?.lowercased() == username {
                return Self.removing(username, from: text)
            }
        }
        return nil
    }

    static func removing(_ mention: String, from text: String) -> String {
        guard let range = text.range(of: mention, options: .caseInsensitive) else { return text }
        var result = text
        result.removeSubrange(range)
        let trimmed = result.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? text : trimmed
    }
}
