import Events
import Telegram

extension TelegramError {
    /// The payload of `telegram.error`: method, status, description, retry_after. Never the token.
    var eventPayload: JSONObject {
        [
            "method": .string(method), "status": JSONValue(httpStatus), "description": .string(apiDescription ?? message),
            "retry_after": JSONValue(retryAfter), "code": .string("\(code)"),
        ]
    }
}
