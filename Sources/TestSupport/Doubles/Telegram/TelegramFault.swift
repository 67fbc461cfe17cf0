/// A scripted misbehaviour of the Telegram double for one call of a method, with the answer Telegram really gives.
public enum TelegramFault: Sendable, Equatable {
    /// 429 `Too Many Requests: retry after N` with `parameters.retry_after`.
    case tooManyRequests(retryAfter: Int)
    /// 400 `Bad Request: can't parse entities: ...`.
    case cantParseEntities
    /// 400 `Bad Request: message is not modified: ...`.
    case messageNotModified
    /// 403 `Forbidden: bot was blocked by the user`.
    case blockedByUser
    /// 400 `Bad Request: chat not found`.
    case chatNotFound
    /// 400 `Bad Request: group chat was upgraded to a supergroup chat` with `parameters.migrate_to_chat_id`.
    case migrated(toChatID: Int64)
    /// 409 `Conflict: terminated by other getUpdates request; ...`.
    case conflict
    /// A JSON error envelope with a 5xx status (`Internal Server Error`).
    case serverError(status: Int)
    /// 502 with the HTML page of Telegram's front proxy: a 5xx whose body is not JSON.
    case badGateway
    /// 200 with a body that is not JSON.
    case malformedBody
    /// The connection is closed without an answer.
    case dropConnection
    /// The answer comes after `delay` (the call itself proceeds normally).
    case slow(Duration)
    /// The call is carried out (a message is sent), then its answer is lost on the way back, as `loss` says: what
    /// the client cannot tell from `dropConnection`, `slow` or `malformedBody`.
    case answerLost(AnswerLoss)
    /// Any error envelope: `status`, `description` and optional `parameters`.
    case error(status: Int, description: String, retryAfter: Int?, migrateToChatID: Int64?)

    /// How the answer to a call carried out is lost.
    public enum AnswerLoss: Sendable, Equatable {
        /// The connection is closed without an answer.
        case dropped
        /// The answer comes after `delay`, when the client has given up.
        case late(Duration)
        /// 200 with a body that is not JSON.
        case malformed
    }

    /// The 400 description Telegram gives for unparsable entities.
    public static let cantParseEntitiesDescription =
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    /// The 400 description Telegram gives when an edit changes nothing.
    public static let messageNotModifiedDescription =
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
}
