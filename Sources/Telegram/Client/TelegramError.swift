/// The one error type of the Telegram client: what a Bot API call ended with, pattern-matchable by `code`.
///
/// Telegram's answers are mapped into it at the boundary (`error_code`, `description`, `retry_after`,
/// `migrate_to_chat_id`), and so are transport failures. Its texts never hold the bot token nor a URL (the token
/// is part of every URL): `catch let error as TelegramError where error.code == .tooManyRequests`.
public struct TelegramError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Code: Sendable, Equatable, Hashable {
        /// 400: the request was refused (`can't parse entities`, `message is not modified`, `chat not found`, ...).
        case badRequest
        /// 401: the token is wrong or revoked.
        case unauthorized
        /// 403: the bot may not write there (blocked by the user, kicked from the group).
        case forbidden
        /// 404: no such method (or a malformed token).
        case notFound
        /// 409: another `getUpdates` took over, or a webhook is set.
        case conflict
        /// 429: flood control; wait `retryAfter` seconds.
        case tooManyRequests
        /// 5xx: Telegram or its front proxy failed.
        case serverError
        /// Any other `error_code`.
        case otherStatus(Int)
        /// No HTTP answer: connection refused, reset or dropped, name not resolved.
        case transport
        /// The call's deadline passed before the answer came.
        case timeout
        /// An answer that is not a Bot API envelope (not JSON, or a result of the wrong shape).
        case malformedResponse
        /// The calling task was cancelled.
        case cancelled
        /// The configuration (`TELEGRAM_BOT_TOKEN`, `TELEGRAM_API_BASE`) is missing or malformed.
        case invalidConfiguration
    }

    public let code: Code
    /// The Bot API method called (`sendMessage`).
    public let method: String
    /// One line for operators: the method, the status and Telegram's description. Never holds the token.
    public let message: String
    /// The HTTP status of the answer, when there was one.
    public let httpStatus: Int?
    /// Telegram's `error_code`, when the answer was an error envelope.
    public let errorCode: Int?
    /// Telegram's `description` (`Bad Request: chat not found`), when the answer was an error envelope.
    public let apiDescription: String?
    /// Seconds to wait before calling again (`parameters.retry_after`, with 429).
    public let retryAfter: Int?
    /// The supergroup a group became (`parameters.migrate_to_chat_id`).
    public let migrateToChatID: Int64?
    /// libcurl's `CURLcode` behind a transport failure (the failure's words never hold the URL).
    public let transportCode: Int?
    /// Whether Telegram may have carried out the call although no answer says so: the deadline passed or the
    /// connection was lost after the request went out, or a 200 (or a 5xx page of the front proxy) came with a
    /// body that is not a Bot API answer. Calling again may then do it twice: the Bot API has no idempotency key
    /// (docs/worker.md, "Nothing lost, nothing doubled"). False when Telegram answered with its error envelope or
    /// no request went out.
    public let mayHaveBeenCarriedOut: Bool
    public let file: String
    public let line: UInt

    public init(
        _ code: Code, method: String, message: String, httpStatus: Int? = nil, errorCode: Int? = nil,
        apiDescription: String? = nil, retryAfter: Int? = nil, migrateToChatID: Int64? = nil, transportCode: Int? = nil,
        mayHaveBeenCarriedOut: Bool = false, file: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.method = method
        self.message = message
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.apiDescription = apiDescription
        self.retryAfter = retryAfter
        self.migrateToChatID = migrateToChatID
        self.transportCode = transportCode
        self.mayHaveBeenCarriedOut = mayHaveBeenCarriedOut
        self.file = file
        self.line = line
    }

    public var description: String { message }

    /// The code of an error envelope's `error_code` (or of a bare HTTP status).
    public static func code(forStatus status: Int) -> Code {
        switch status {
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 409: .conflict
        case 429: .tooManyRequests
        case 500...599: .serverError
        default: .otherStatus(status)
        }
    }

    /// A 400 because the HTML or Markdown of the text does not parse: send it again as plain text.
    public var isCantParseEntities: Bool { code == .badRequest && contains("can't parse entities") }

    /// A 400 because an edit would change nothing: the message already shows it.
    public var isMessageNotModified: Bool { code == .badRequest && contains("message is not modified") }

    /// A 403 because the user blocked the bot.
    public var isBlockedByUser: Bool { code == .forbidden && contains("blocked by the user") }

    /// Whether the same call may succeed later (transport, timeout, 409, 429, 5xx, a malformed answer).
    public var isTransient: Bool {
        switch code {
        case .transport, .timeout, .conflict, .tooManyRequests, .serverError, .malformedResponse: true
        default: false
        }
    }

    private func contains(_ text: String) -> Bool { apiDescription?.lowercased().contains(text) ?? false }
}
