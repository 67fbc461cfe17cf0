import Events

/// The control endpoints under `/_double/`, for a double in another process (`agent-doubles`):
///
/// - `POST /_double/messages` `{"chat_id", "user_id", "text", "chat_type"?, "reply_to_message_id"?}` -> `{"update_id"}`
/// - `POST /_double/callbacks` `{"chat_id", "user_id", "message_id", "data"}` -> `{"callback_query_id"}`
/// - `POST /_double/faults` `{"method", "fault", "times"?, ...}` (see `TelegramFault.init(control:)`)
/// - `GET /_double/sent` (`?chat_id=`), `GET /_double/requests`, `GET /_double/violations`
extension TelegramDouble {
    func control(_ request: HTTPRequest) -> HTTPReply {
        let body = (try? JSONParser.parse(request.body)) ?? [:]
        switch (request.method, request.path) {
        case ("POST", "/_double/messages"):
            guard let chatID = body["chat_id"]?.int64Value, let userID = body["user_id"]?.int64Value, let text = body["text"]?.stringValue
            else { return .json(400, ["error": "chat_id, user_id and text are required"]) }
            let id = sendUserMessage(
                chatID: chatID, userID: userID, text: text, chatType: body["chat_type"]?.stringValue,
                replyToMessageID: body["reply_to_message_id"]?.int64Value.map(Int.init))
            return .json(200, ["update_id": .int(id)])
        case ("POST", "/_double/callbacks"):
            guard let chatID = body["chat_id"]?.int64Value, let userID = body["user_id"]?.int64Value,
                let messageID = body["message_id"]?.int64Value, let data = body["data"]?.stringValue
            else { return .json(400, ["error": "chat_id, user_id, message_id and data are required"]) }
            let id = pressButton(chatID: chatID, userID: userID, messageID: Int(messageID), data: data)
            return .json(200, ["callback_query_id": .string(id)])
        case ("POST", "/_double/faults"):
            do throws(DoubleError) {
                guard let method = body["method"]?.stringValue else { throw DoubleError(.invalidScript, "method is required") }
                script(try TelegramFault(control: body), for: method, times: Int(body["times"]?.int64Value ?? 1))
                return .json(200, [:])
            } catch {
                return .json(400, ["error": .string(error.message)])
            }
        case ("GET", "/_double/sent"):
            let chatID = request.query.flatMap { FormData.decode($0)?["chat_id"] }.flatMap { Int64($0) }
            return .json(200, .array(sentMessages(chatID: chatID).map(\.controlJSON)))
        case ("GET", "/_double/requests"):
            return .json(
                200,
                .array(
                    requests.map { record in
                        ["method": .string(record.method), "parameters": .object(record.parameters), "status": JSONValue(record.status)]
                    }))
        case ("GET", "/_double/violations"):
            return .json(200, .array(violations.map { .string($0.description) }))
        default:
            return .json(404, ["error": "no such control endpoint"])
        }
    }
}

extension TelegramFault {
    /// A fault described in JSON: `{"fault": "too_many_requests", "retry_after": 3}`, `"cant_parse_entities"`,
    /// `"message_not_modified"`, `"blocked_by_user"`, `"chat_not_found"`, `{"fault": "migrated", "chat_id": -100...}`,
    /// `"conflict"`, `{"fault": "server_error", "status": 500}`, `"bad_gateway"`, `"malformed_body"`,
    /// `"drop_connection"`, `{"fault": "slow", "delay_ms": 2000}`, or
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

extension SentMessage {
    var controlJSON: JSONValue {
        [
            "chat_id": .int(chatID), "message_id": .int(Int64(messageID)), "text": .string(text), "raw_text": .string(rawText),
            "parse_mode": JSONValue(parseMode), "reply_markup": replyMarkup ?? .null,
            "reply_to_message_id": JSONValue(replyToMessageID), "previous_texts": .array(previousTexts.map(JSONValue.string)),
        ]
    }
}
