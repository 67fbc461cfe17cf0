/// How Telegram reads markup in a text (`parse_mode`).
public enum ParseMode: String, Codable, Sendable {
    case html = "HTML"
    case markdownV2 = "MarkdownV2"
}
