import Events

/// What the OpenAI double answers to one chat-completions call.
public indirect enum OpenAIAnswer: Sendable, Equatable {
    /// A text answer.
    case text(String, usage: OpenAIUsage = .automatic, finishReason: String = "stop")
    /// Tool calls, with an optional text beside them.
    case toolCalls([OpenAIToolCall], text: String? = nil, usage: OpenAIUsage = .automatic, finishReason: String = "tool_calls")
    /// An error envelope `{"error": {"message", "type", "param", "code"}}` with `status` (200 is allowed: some
    /// servers do that) and extra headers.
    case error(status: Int, type: String, code: JSONValue, message: String, headers: [String: String] = [:])
    /// Any status, headers and body.
    case raw(status: Int, headers: [String: String] = [:], body: String)
    /// Status 200 with a body that is not JSON.
    case malformedBody
    /// The connection is closed without an answer.
    case dropConnection
    /// `answer`, after `delay`.
    case delayed(Duration, OpenAIAnswer)
    /// `answer` (text or tool calls), streamed as `stream` says when the request asks for a stream; sent whole
    /// otherwise.
    case streamed(OpenAIAnswer, OpenAIStream)

    /// 429 `rate_limit_exceeded` with `retry-after` (seconds) and `x-ratelimit-reset-requests`.
    public static func rateLimited(retryAfter seconds: Int) -> OpenAIAnswer {
        .error(
            status: 429, type: "requests", code: "rate_limit_exceeded",
            message:
                "Rate limit reached for gpt-4o-mini in organization org-double on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in \(seconds)s.",
            headers: ["retry-after": "\(seconds)", "x-ratelimit-reset-requests": "\(seconds)s"])
    }

    /// 429 `insufficient_quota`: never worth retrying.
    public static let insufficientQuota = OpenAIAnswer.error(
        status: 429, type: "insufficient_quota", code: "insufficient_quota",
        message: "You exceeded your current quota, please check your plan and billing details.")

    /// 400 `context_length_exceeded`.
    public static let contextLengthExceeded = OpenAIAnswer.error(
        status: 400, type: "invalid_request_error", code: "context_length_exceeded",
        message:
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 130012 tokens. Please reduce the length of the messages."
    )

    /// 401 `invalid_api_key`.
    public static let invalidAPIKey = OpenAIAnswer.error(
        status: 401, type: "invalid_request_error", code: "invalid_api_key", message: "Incorrect API key provided.")

    /// 500 `server_error`.
    public static let serverError = OpenAIAnswer.error(
        status: 500, type: "server_error", code: .null, message: "The server had an error while processing your request. Sorry about that!")

    /// 503: the engine is overloaded.
    public static let overloaded = OpenAIAnswer.error(
        status: 503, type: "server_error", code: .null, message: "The engine is currently overloaded, please try again later")
}
