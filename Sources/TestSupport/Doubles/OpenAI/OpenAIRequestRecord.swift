import Events
import Foundation

/// One chat-completions request the OpenAI double received, as the recorder keeps it.
public struct OpenAIRequestRecord: Sendable {
    /// The order of arrival, from 1.
    public let sequence: Int
    /// The request body.
    public let body: JSONValue
    /// The `Authorization` header as sent.
    public let authorization: String?
    public let receivedAt: Date
    /// The HTTP status answered; `nil` while it is being answered or when the connection was dropped.
    public internal(set) var status: Int?

    /// The `messages` of the request.
    public var messages: [JSONValue] { body["messages"]?.arrayValue ?? [] }
}
