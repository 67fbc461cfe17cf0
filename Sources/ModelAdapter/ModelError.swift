/// The one error type of the model adapter: a failed model call, classified so that the caller knows whether to
/// retry, when, and what to tell the user.
///
/// Classification (the status, or the error body's `code` when the body came with status 200):
/// retryable: no connection, our deadline, 408, 409, 429 (rate limit), 5xx; never retried: 429 `insufficient_quota`
/// (`quotaExceeded`), `context_length_exceeded`, 401/403 (`authentication`), 400/404/422 (`badRequest`), and an
/// answer that is not a completion (`malformedResponse`). Texts never hold the API key.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public enum Code: Sendable, Equatable, Hashable {
        /// No HTTP answer: refused, reset, dropped, name not resolved.
        case connection
        /// The call's deadline passed.
        case timeout
        /// 408.
        case requestTimeout
        /// 409.
        case conflict
        /// 429 for too many requests or tokens: wait `retryAfter`.
        case rateLimited
        /// 5xx, or an error the provider gave with status 200 and an unknown code.
        case serverError
        /// 429 `insufficient_quota`: the account is out of credit.
        case quotaExceeded
        /// The conversation is longer than the model's context.
        case contextLengthExceeded
        /// 401 or 403: the key is wrong, revoked or not allowed.
        case authentication
        /// 400, 404, 422...: the request itself is wrong (unknown model, bad schema).
        case badRequest
        /// Status 200 with a body that is not a completion.
        case malformedResponse
        /// The calling task was cancelled.
        case cancelled
        /// `OPENAI_API_KEY` or `OPENAI_BASE_URL` is missing or malformed.
        case invalidConfiguration
    }

    /// The classes a caller acts on.
    public enum Kind: Sendable, Equatable {
        case retryable
        case quota
        case contextLength
        case authentication
        case badRequest
        case other
    }

    public let code: Code
    /// One line for operators and events; never holds the API key.
    public let message: String
    /// The HTTP status, when there was an answer.
    public let status: Int?
    /// The provider's `error.code` (`rate_limit_exceeded`; integer codes as text).
    public let providerCode: String?
    /// The provider's `error.type` (`invalid_request_error`).
    public let providerType: String?
    /// How long the provider asks to wait (`retry-after-ms`, `Retry-After` in seconds or as a date, or, on a 429
    /// only, the `x-ratelimit-reset-*` headers).
    public let retryAfter: Duration?
    /// The provider's request id (`x-request-id`), for support.
    public let requestID: String?
    /// libcurl's `CURLcode` behind a connection failure (the failure's words never hold the URL).
    public let transportCode: Int?
    /// The text a streamed answer had delivered before it failed (a cut connection, an error chunk), so that what
    /// the user may have seen is kept in the events; `nil` when none arrived.
    public let receivedText: String?
    public let file: String
    public let line: UInt

    public init(
        _ code: Code, _ message: String, status: Int? = nil, providerCode: String? = nil, providerType: String? = nil,
        retryAfter: Duration? = nil, requestID: String? = nil, transportCode: Int? = nil, receivedText: String? = nil,
        file: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.providerCode = providerCode
        self.providerType = providerType
        self.retryAfter = retryAfter
        self.requestID = requestID
        self.transportCode = transportCode
        self.receivedText = receivedText
        self.file = file
        self.line = line
    }

    public var description: String { message }

    /// The class of this error.
    public var kind: Kind {
        switch code {
        case .connection, .timeout, .requestTimeout, .conflict, .rateLimited, .serverError: .retryable
        case .quotaExceeded: .quota
        case .contextLengthExceeded: .contextLength
        case .authentication: .authentication
        case .badRequest: .badRequest
        case .malformedResponse, .cancelled, .invalidConfiguration: .other
        }
    }

    /// Whether the same call may succeed if tried again.
    public var isRetryable: Bool { kind == .retryable }

    /// The same error, carrying the text a stream delivered before it (`nil` or empty: unchanged).
    public func receiving(_ text: String?) -> ModelError {
        guard let text, !text.isEmpty else { return self }
        return ModelError(
            code, message, status: status, providerCode: providerCode, providerType: providerType, retryAfter: retryAfter,
            requestID: requestID, transportCode: transportCode, receivedText: text, file: file, line: line)
    }
}
