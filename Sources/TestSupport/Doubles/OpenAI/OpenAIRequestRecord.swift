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
    /// When the first token of a streamed answer was written; `nil` for an unstreamed answer.
    public internal(set) var firstTokenSentAt: Date?
    /// How many tokens a streamed answer sent before its end (`nil` until it ended whole).
    public internal(set) var tokensSent: Int?

    /// Whether the request asked for a streamed answer.
    public var asksForStream: Bool { body["stream"] == .bool(true) }

    /// The `messages` of the request.
    public var messages: [JSONValue] { body["messages"]?.arrayValue ?? [] }
}
