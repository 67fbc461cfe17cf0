import Events
import Foundation

/// One request the Telegram double received, as the recorder keeps it.
public struct TelegramRequestRecord: Sendable {
    /// The order of arrival, from 1.
    public let sequence: Int
    /// The Bot API method (`sendMessage`), as written in the URL.
    public let method: String
    /// The parameters, form text read as typed values.
    public let parameters: [String: JSONValue]
    /// The bot token in the URL.
    public let token: String
    /// `GET` or `POST`.
    public let httpMethod: String
    /// The body's media type, when it had one.
    public let contentType: String?
    public let receivedAt: Date
    /// The HTTP status answered; `nil` while the request is held or when the connection was dropped.
    public internal(set) var status: Int?
}
