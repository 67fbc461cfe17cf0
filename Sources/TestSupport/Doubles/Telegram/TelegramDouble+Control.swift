import Events
import Foundation

/// The control endpoints under `/_double/`, for a double in another process (`agent-doubles`):
///
/// - `POST /_double/messages` `{"chat_id", "user_id", "text", "chat_type"?, "reply_to_message_id"?}` -> `{"update_id"}`
/// - `POST /_double/callbacks` `{"chat_id", "user_id", "message_id", "data"}` -> `{"callback_query_id"}`
/// - `POST /_double/faults` `{"method", "fault", "times"?, ...}` (see `TelegramFault.init(control:)`)
/// - `POST /_double/drafts/refuse` `{"status"?, "description"?}` (an empty description accepts drafts again)
/// - `GET /_double/sent` (`?chat_id=`), `GET /_double/drafts` (`?chat_id=`), `GET /_double/requests`,
///   `GET /_double/violations`
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
        case ("POST", "/_double/drafts/refuse"):
            let description = body["description"]?.stringValue ?? "Bad Request: method sendMessageDraft is not available"
            refuseDrafts(status: Int(body["status"]?.int64Value ?? 400), description: description.isEmpty ? nil : description)
            return .json(200, [:])
        case ("GET", "/_double/drafts"):
            let chatID = request.query.flatMap { FormData.decode($0)?["chat_id"] }.flatMap { Int64($0) }
            return .json(
                200,
                .array(
                    drafts(chatID: chatID).map { draft in
                        [
                            "chat_id": .int(draft.chatID), "draft_id": .int(draft.draftID), "text": .string(draft.text),
                            "received_at_ms": .int(Int64(draft.receivedAt.timeIntervalSince1970 * 1000)),
                        ]
                    }))
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
