/// What the bot shows it is doing (`sendChatAction`), for about five seconds or until it sends a message.
public enum ChatAction: String, Codable, Sendable {
    case typing
    case uploadDocument = "upload_document"
    case uploadPhoto = "upload_photo"
    case findLocation = "find_location"
}
