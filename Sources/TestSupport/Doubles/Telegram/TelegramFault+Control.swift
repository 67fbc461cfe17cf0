import Events

extension TelegramFault {
    /// A fault described in JSON: `{"fault": "too_many_requests", "retry_after": 3}`, `"cant_parse_entities"`,
    /// `"message_not_modified"`, `"blocked_by_user"`, `"chat_not_found"`, `{"fault": "migrated", "chat_id": -100...}`,
    /// `"conflict"`, `{"fault": "server_error", "status": 500}`, `"bad_gateway"`, `"malformed_body"`,
    /// `"drop_connection"`, `{"fault": "slow", "delay_ms": 2000}`, `{"fault": "answer_lost", "as": "dropped" | "late" |
    /// "malformed", "delay_ms"?}` (the call is carried out, its answer lost), or
    /// `{"fault": "error", "status", "description", "retry_after"?, "migrate_to_chat_id"?}`.
    public init(control: JSONValue) throws(DoubleError) {
        switch control["fault"]?.stringValue {
        case "too_many_requests": self = .tooManyRequests(retryAfter: Int(control["retry_after"]?.int64Value ?? 1))
        case "cant_parse_entities": self = .cantParseEntities
        case "message_not_modified": self = .messageNotModified
        case "blocked_by_user": self = .blockedByUser
        case "chat_not_found": self = .chatNotFound
        case "migrated":
            guard let chatID = control["chat_id"]?.int64Value else { throw DoubleError(.invalidScript, "migrated needs chat_id") }
            self = .migrated(toChatID: chatID)
        case "conflict": self = .conflict
        case "server_error": self = .serverError(status: Int(control["status"]?.int64Value ?? 500))
        case "bad_gateway": self = .badGateway
        case "malformed_body": self = .malformedBody
        case "drop_connection": self = .dropConnection
        case "slow": self = .slow(.milliseconds(control["delay_ms"]?.int64Value ?? 1000))
        case "answer_lost":
            switch control["as"]?.stringValue {
            case "dropped": self = .answerLost(.dropped)
            case "late": self = .answerLost(.late(.milliseconds(control["delay_ms"]?.int64Value ?? 1000)))
            case "malformed": self = .answerLost(.malformed)
            default: throw DoubleError(.invalidScript, "answer_lost needs \"as\": dropped, late or malformed")
            }
        case "error":
            guard let status = control["status"]?.int64Value, let description = control["description"]?.stringValue else {
                throw DoubleError(.invalidScript, "error needs status and description")
            }
            self = .error(
                status: Int(status), description: description, retryAfter: control["retry_after"]?.int64Value.map(Int.init),
                migrateToChatID: control["migrate_to_chat_id"]?.int64Value)
        default:
            throw DoubleError(.invalidScript, "unknown fault \(control["fault"]?.serialized ?? "(none)")")
        }
    }
}
