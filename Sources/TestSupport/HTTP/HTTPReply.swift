import Events

/// What a loopback double does with a request: answer it, or drop the connection without a word.
///
/// It is also an `Error`, so that a step of a double's handler can return `Result<Value, HTTPReply>`: the value, or
/// the refusal to send instead.
public struct HTTPReply: Sendable, Error {
    /// Whether the reply is written or the connection is closed unanswered.
    public enum Action: Sendable, Equatable {
        case respond
        case dropConnection
    }

    public var action: Action
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// A body written while it is produced, instead of `body`.
    public var stream: HTTPBodyStream?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.action = .respond
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// An answer whose body is written while `stream` produces it.
    public static func streamed(_ status: Int, headers: [(name: String, value: String)] = [], _ stream: HTTPBodyStream) -> HTTPReply {
        var reply = HTTPReply(status: status, headers: headers)
        reply.stream = stream
        return reply
    }

    /// A JSON answer (`Content-Type: application/json`).
    public static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> HTTPReply {
        HTTPReply(
            status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(value.serialized.utf8))
    }

    /// An answer with a body given as text and its content type.
    public static func text(
        _ status: Int, _ body: String, contentType: String = "text/plain; charset=utf-8",
        headers: [(name: String, value: String)] = []
    ) -> HTTPReply {
        HTTPReply(status: status, headers: [("Content-Type", contentType)] + headers, body: Array(body.utf8))
    }

    /// The connection is closed at once; the client reads no answer.
    public static var dropConnection: HTTPReply {
        var reply = HTTPReply(status: 0)
        reply.action = .dropConnection
        return reply
    }

    /// The standard reason phrase of `status`.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }
}
