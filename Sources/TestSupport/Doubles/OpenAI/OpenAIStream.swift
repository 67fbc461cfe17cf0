import Events

/// How the OpenAI double streams a scripted answer to a request with `stream: true`.
///
/// The answer is cut into tokens (a word with the space before it; tool-call arguments in pieces of
/// `argumentPieceSize` characters), one chunk each, sent at `tokensPerSecond` (0: as fast as it can). It ends as
/// OpenAI ends a stream: a last choice chunk with the finish reason, the usage chunk when asked for (or forced
/// on or off), `data: [DONE]`. Faults: the connection cut after `cutAfter` tokens, or an error chunk after
/// `errorAfter` tokens; or no stream at all (`ignoresStream`: one JSON body, as some servers answer).
public struct OpenAIStream: Sendable, Equatable {
    public var tokensPerSecond: Double
    /// Whether the usage chunk is sent; `nil`: as `stream_options.include_usage` asks.
    public var usage: Bool?
    /// Tokens sent before the connection is closed in the middle of the stream.
    public var cutAfter: Int?
    /// Tokens sent before an error chunk ends the stream.
    public var errorAfter: Int?
    /// The error object of that chunk.
    public var error: JSONValue
    /// Answer with one JSON body, as a server that ignores `stream` does.
    public var ignoresStream: Bool
    /// Chunked transfer (the default), or a body ended by closing the connection.
    public var framing: HTTPBodyStream.Framing
    /// Characters of tool-call arguments per chunk.
    public var argumentPieceSize: Int
    /// A wait before the first token (the model reading the prompt).
    public var firstTokenDelay: Duration

    public init(
        tokensPerSecond: Double = 0, usage: Bool? = nil, cutAfter: Int? = nil, errorAfter: Int? = nil,
        error: JSONValue = OpenAIStream.serverError, ignoresStream: Bool = false, framing: HTTPBodyStream.Framing = .chunked,
        argumentPieceSize: Int = 4, firstTokenDelay: Duration = .zero
    ) {
        self.tokensPerSecond = tokensPerSecond
        self.usage = usage
        self.cutAfter = cutAfter
        self.errorAfter = errorAfter
        self.error = error
        self.ignoresStream = ignoresStream
        self.framing = framing
        self.argumentPieceSize = max(1, argumentPieceSize)
        self.firstTokenDelay = firstTokenDelay
    }

    /// The error object OpenAI sends inside a stream when the server fails in the middle.
    public static let serverError: JSONValue = [
        "message": "The server had an error while processing your request. Sorry about that!", "type": "server_error",
        "param": nil, "code": nil,
    ]

    /// The tokens of `text`: each starts at a space (kept with the word after it), graphemes never split.
    public static func tokens(of text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for character in text {
            if character == " " || character == "\n", !current.isEmpty, current.last != " ", current.last != "\n" {
                tokens.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
