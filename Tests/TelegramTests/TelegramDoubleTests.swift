import Events
import Foundation
import TestSupport
import Testing

/// The Telegram double itself: what it refuses and records as breaking the specification, how it reads forms,
/// and its control endpoints. These prove that `violations.isEmpty` in the other tests means something.
@Suite(.timeLimit(.minutes(1))) struct TelegramDoubleTests {
    struct Bad: Sendable, CustomTestStringConvertible {
        let method: String
        let body: String
        let path: String
        let status: Int
        var description: String?
        var testDescription: String { "\(method) \(body.prefix(60))" }
    }

    static let long = String(repeating: "a", count: 4097)
    static let emoji = String(repeating: "😀", count: 2049)

    static let bad: [Bad] = [
        Bad(method: "sendMesage", body: #"{"chat_id":1,"text":"x"}"#, path: "", status: 404, description: "Not Found"),
        Bad(method: "sendMessage", body: #"{"text":"x"}"#, path: "chat_id", status: 400, description: "Bad Request: chat_id is empty"),
        Bad(method: "sendMessage", body: #"{"chat_id":1}"#, path: "text", status: 400, description: "Bad Request: message text is empty"),
        Bad(
            method: "sendMessage", body: #"{"chat_id":1,"text":""}"#, path: "text", status: 400,
            description: "Bad Request: message text is empty"),
        Bad(
            method: "sendMessage", body: #"{"chat_id":1,"text":"\#(long)"}"#, path: "text", status: 400,
            description: "Bad Request: message is too long"),
        Bad(
            method: "sendMessage", body: #"{"chat_id":1,"text":"\#(emoji)"}"#, path: "text", status: 400,
            description: "Bad Request: message is too long"),
        Bad(method: "sendMessage", body: #"{"chat_id":true,"text":"x"}"#, path: "chat_id", status: 400),
        Bad(method: "sendMessage", body: #"{"chat_id":1,"text":"x","colour":"red"}"#, path: "colour", status: 400),
        Bad(method: "sendMessage", body: #"{"chat_id":1,"text":"x","parse_mode":"html"}"#, path: "parse_mode", status: 400),
        Bad(
            method: "sendMessage",
            body:
                #"{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"\#(String(repeating: "d", count: 65))"}]]}}"#,
            path: "reply_markup", status: 400),
        Bad(
            method: "sendMessage", body: #"{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[{"text":"a"}]}}"#,
            path: "reply_markup", status: 400),
        Bad(
            method: "sendMessage", body: #"{"chat_id":1,"text":"x","reply_parameters":{"message_id":"one"}}"#,
            path: "reply_parameters.message_id", status: 400),
        Bad(method: "sendChatAction", body: #"{"chat_id":1,"action":"thinking"}"#, path: "action", status: 400),
        Bad(method: "getUpdates", body: #"{"allowed_updates":["messages"]}"#, path: "allowed_updates[0]", status: 400),
        Bad(method: "getUpdates", body: #"{"limit":500}"#, path: "limit", status: 400),
        Bad(
            method: "setMyCommands", body: #"{"commands":[{"command":"Start","description":"go"}]}"#, path: "commands[0].command",
            status: 400),
        Bad(
            method: "setMyCommands", body: #"{"commands":[{"command":"x","description":"go"}],"scope":{"type":"everyone"}}"#, path: "scope",
            status: 400),
        Bad(
            method: "answerCallbackQuery", body: #"{"callback_query_id":"1","text":"\#(String(repeating: "t", count: 201))"}"#,
            path: "text", status: 400),
    ]

    @Test(arguments: bad)
    func aRequestOutsideTheSpecificationIsAViolation(_ bad: Bad) throws {
        let double = try TelegramDouble()
        defer { double.stop() }
        let response = try RawHTTPClient(port: double.port).send("POST", "/bot1:x/\(bad.method)", json: bad.body)
        #expect(response.status == bad.status)
        let answer = try JSONValue(parsing: response.text)
        #expect(answer["ok"] == false)
        #expect(answer["error_code"]?.int64Value == Int64(bad.status))
        if let description = bad.description { #expect(answer["description"]?.stringValue == description) }
        let violations = double.violations
        #expect(!violations.isEmpty)
        #expect(violations.contains { $0.method == bad.method && $0.path.hasPrefix(bad.path) }, "\(violations)")
        #expect(double.sentMessages().isEmpty)
    }

    @Test func markupDoesNotCountTowardsTheLimit() throws {
        let double = try TelegramDouble()
        defer { double.stop() }
        let text = "<b>" + String(repeating: "&lt;", count: 4096) + "</b>"
        let response = try RawHTTPClient(port: double.port).send(
            "POST", "/bot1:x/sendMessage", json: JSONValue.object(["chat_id": 1, "text": .string(text), "parse_mode": "HTML"]).serialized)
        #expect(response.status == 200)
        #expect(double.sentMessages().first?.text.utf16.count == 4096)
        #expect(double.violations.isEmpty)
    }

    @Test func formsAndQueryStringsAreReadAsTelegramReadsThem() throws {
        let double = try TelegramDouble()
        defer { double.stop() }
        let client = RawHTTPClient(port: double.port)
        let markup = #"{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}"#
        let form =
            "chat_id=77&text=hello+world%21&disable_notification=true&reply_markup=" + markup.addingPercentEncoding(
                withAllowedCharacters: .alphanumerics)!
        let sent = try client.send("POST", "/bot1:x/sendMessage", body: Array(form.utf8), contentType: "application/x-www-form-urlencoded")
        #expect(sent.status == 200)
        let query = try client.send("GET", "/bot1:x/getUpdates?timeout=0&allowed_updates=%5B%22message%22%5D", contentType: nil)
        #expect(query.status == 200)
        #expect(try JSONValue(parsing: query.text)["result"] == [])
        #expect(double.violations.isEmpty, "\(double.violations)")
        let record = try #require(double.requests(for: "sendMessage").first)
        #expect(record.parameters["chat_id"] == .int(77))
        #expect(record.parameters["disable_notification"] == .bool(true))
        #expect(record.parameters["text"] == "hello world!")
        #expect(double.sentMessages(chatID: 77).first?.callbackData == ["go"])
        #expect(double.requests(for: "getUpdates").first?.parameters["timeout"] == .int(0))
    }

    @Test func aWrongTokenIsUnauthorized() throws {
        let double = try TelegramDouble(token: "1:right")
        defer { double.stop() }
        let response = try RawHTTPClient(port: double.port).send("POST", "/bot1:wrong/getMe", json: "{}")
        #expect(response.status == 401)
        #expect(try JSONValue(parsing: response.text)["description"] == "Unauthorized")
        #expect(try RawHTTPClient(port: double.port).send("POST", "/nobot/getMe", json: "{}").status == 404)
    }

    @Test func controlEndpointsScriptTheDoubleFromAnotherProcess() throws {
        let double = try TelegramDouble()
        defer { double.stop() }
        let client = RawHTTPClient(port: double.port)
        let injected = try client.send("POST", "/_double/messages", json: #"{"chat_id":5,"user_id":5,"text":"hi"}"#)
        #expect(try JSONValue(parsing: injected.text)["update_id"] == 1)
        #expect(
            try client.send("POST", "/_double/faults", json: #"{"method":"sendMessage","fault":"too_many_requests","retry_after":4}"#)
                .status == 200)
        #expect(try client.send("POST", "/_double/faults", json: #"{"method":"sendMessage","fault":"sparkles"}"#).status == 400)
        let limited = try client.send("POST", "/bot1:x/sendMessage", json: #"{"chat_id":5,"text":"a"}"#)
        #expect(limited.status == 429)
        #expect(try JSONValue(parsing: limited.text)["parameters"]?["retry_after"] == 4)
        _ = try client.send("POST", "/bot1:x/sendMessage", json: #"{"chat_id":5,"text":"b"}"#)
        let sent = try JSONValue(parsing: client.send("GET", "/_double/sent?chat_id=5", contentType: nil).text)
        #expect(sent.arrayValue?.map { $0["text"] } == ["b"])
        let button = try client.send("POST", "/_double/callbacks", json: #"{"chat_id":5,"user_id":5,"message_id":2,"data":"go"}"#)
        #expect(try JSONValue(parsing: button.text)["callback_query_id"]?.stringValue?.isEmpty == false)
        let requests = try JSONValue(parsing: client.send("GET", "/_double/requests", contentType: nil).text)
        #expect(requests.arrayValue?.compactMap { $0["status"]?.int64Value } == [429, 200])
        #expect(try JSONValue(parsing: client.send("GET", "/_double/violations", contentType: nil).text) == [])
    }

    @Test func theSpecificationIsTheCommittedOne() throws {
        let specification = try TelegramSpecification.shared()
        #expect(specification.version == "Bot API 10.1")
        for method in [
            "getMe", "getUpdates", "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendChatAction", "answerCallbackQuery",
            "deleteWebhook", "setMyCommands",
        ] {
            #expect(specification.hasMethod(method))
        }
    }
}
