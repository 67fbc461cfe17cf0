import FoundationEssentials
import HTTPSupport
import JSONSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The Bot API over `HTTPTransport`: JSON bodies, one deadline per call, every answer mapped into `TelegramError`.
///
/// Nothing is retried here: the caller decides (it knows whether a send may be doubled). Nothing is logged.
public struct TelegramClient: TelegramAPI, CustomStringConvertible, CustomReflectable {
    public let configuration: TelegramConfiguration
    private let transport: HTTPTransport
    private let botURL: String

    /// A client on `transport` (by default the process's shared one, whose connections are kept alive).
    public init(configuration: TelegramConfiguration, transport: HTTPTransport = .shared) {
        self.configuration = configuration
        self.transport = transport
        self.botURL = configuration.apiBase.appendingPathComponent("bot" + configuration.token).absoluteString
    }

    public var description: String { "TelegramClient(\(configuration))" }

    /// Only the configuration, whose token is redacted: the URLs hold the token.
    public var customMirror: Mirror { Mirror(self, children: ["configuration": configuration]) }

    public func getMe() async throws(TelegramError) -> User {
        try await call("getMe", Empty(), as: User.self)
    }

    public func getUpdates(offset: Int64?, limit: Int?, timeout: Int, allowedUpdates: [String]?) async throws(TelegramError) -> [Update] {
        let body = try await exchange(
            "getUpdates", GetUpdates(offset: offset, limit: limit, timeout: timeout, allowedUpdates: allowedUpdates),
            deadline: .seconds(timeout) + configuration.longPollGrace)
        guard let envelope = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)), let items = envelope["result"]?.arrayValue
        else {
            throw TelegramError(
                .malformedResponse, method: "getUpdates", message: "Telegram getUpdates failed: the result is not a list", httpStatus: 200)
        }
        let decoder = JSONDecoder()
        return items.compactMap { Update(json: $0, decoder: decoder) }
    }

    public func sendMessage(
        chatID: Int64, text: String, parseMode: ParseMode?, replyToMessageID: Int?, replyMarkup: InlineKeyboardMarkup?,
        disableLinkPreview: Bool
    ) async throws(TelegramError) -> Message {
        try await call(
            "sendMessage",
            SendMessage(
                chatID: chatID, text: text, parseMode: parseMode,
                replyParameters: replyToMessageID.map { ReplyParameters(messageID: $0, allowSendingWithoutReply: true) },
                replyMarkup: replyMarkup, linkPreviewOptions: disableLinkPreview ? LinkPreviewOptions(isDisabled: true) : nil),
            as: Message.self)
    }

    public func editMessageText(
        chatID: Int64, messageID: Int, text: String, parseMode: ParseMode?, replyMarkup: InlineKeyboardMarkup?
    ) async throws(TelegramError) -> Message {
        try await call(
            "editMessageText",
            EditMessageText(chatID: chatID, messageID: messageID, text: text, parseMode: parseMode, replyMarkup: replyMarkup),
            as: Message.self)
    }

    public func editMessageReplyMarkup(chatID: Int64, messageID: Int, replyMarkup: InlineKeyboardMarkup?) async throws(TelegramError)
        -> Message
    {
        try await call(
            "editMessageReplyMarkup", EditMessageReplyMarkup(chatID: chatID, messageID: messageID, replyMarkup: replyMarkup),
            as: Message.self)
    }

    public func sendMessageDraft(chatID: Int64, draftID: Int64, text: String, parseMode: ParseMode?) async throws(TelegramError) {
        _ = try await call(
            "sendMessageDraft", SendMessageDraft(chatID: chatID, draftID: draftID, text: text, parseMode: parseMode), as: Bool.self)
    }

    public func sendChatAction(chatID: Int64, action: ChatAction) async throws(TelegramError) {
        _ = try await call("sendChatAction", SendChatAction(chatID: chatID, action: action), as: Bool.self)
    }

    public func answerCallbackQuery(id: String, text: String?, showAlert: Bool) async throws(TelegramError) {
        _ = try await call(
            "answerCallbackQuery", AnswerCallbackQuery(callbackQueryID: id, text: text, showAlert: showAlert ? true : nil), as: Bool.self)
    }

    public func deleteWebhook(dropPendingUpdates: Bool) async throws(TelegramError) {
        _ = try await call("deleteWebhook", DeleteWebhook(dropPendingUpdates: dropPendingUpdates), as: Bool.self)
    }

    public func setMyCommands(_ commands: [BotCommand]) async throws(TelegramError) {
        _ = try await call("setMyCommands", SetMyCommands(commands: commands), as: Bool.self)
    }

    // MARK: Exchange

    /// Calls `method` and decodes its `result` as `Result`.
    private func call<Parameters: Encodable, Result: Decodable>(
        _ method: String, _ parameters: Parameters, as type: Result.Type
    ) async throws(TelegramError) -> Result {
        let body = try await exchange(method, parameters, deadline: configuration.requestTimeout)
        guard let envelope = try? JSONDecoder().decode(ResultEnvelope<Result>.self, from: body) else {
            throw TelegramError(
                .malformedResponse, method: method, message: "Telegram \(method) failed: the result is not a \(Result.self)",
                httpStatus: 200, mayHaveBeenCarriedOut: true)
        }
        return envelope.result
    }

    /// Sends `parameters` to `method` and returns the body of an `ok: true` answer; everything else is thrown.
    private func exchange<Parameters: Encodable>(_ method: String, _ parameters: Parameters, deadline: Duration) async throws(TelegramError)
        -> Data
    {
        let body: Data
        do {
            body = try JSONEncoder().encode(parameters)
        } catch {
            throw TelegramError(.badRequest, method: method, message: "Telegram \(method): the parameters cannot be encoded")
        }
        let request = HTTPRequest(
            method: "POST", url: botURL + "/" + method, headers: [("Content-Type", "application/json")], body: Array(body))
        switch await transport.perform(request, deadline: deadline) {
        case .timedOut:
            throw TelegramError(
                .timeout, method: method, message: "Telegram \(method) failed: no answer within \(deadline)", mayHaveBeenCarriedOut: true)
        case .cancelled:
            // Cancelled in flight: the request may have gone out already.
            throw TelegramError(.cancelled, method: method, message: "Telegram \(method) was cancelled", mayHaveBeenCarriedOut: true)
        case .failed(let failure):
            throw TelegramError(
                .transport, method: method, message: "Telegram \(method) failed: \(failure)", transportCode: failure.code,
                mayHaveBeenCarriedOut: failure.requestMayHaveArrived)
        case .response(let status, _, let body):
            if let envelope = try? JSONDecoder().decode(StatusEnvelope.self, from: body) {
                if envelope.ok && status == 200 { return body }
                let errorCode = envelope.errorCode ?? status
                let description = scrub(envelope.description ?? "HTTP \(status)")
                throw TelegramError(
                    TelegramError.code(forStatus: errorCode), method: method,
                    message: "Telegram \(method) failed: \(errorCode) \(description)",
                    httpStatus: status, errorCode: errorCode, apiDescription: description,
                    retryAfter: envelope.parameters?.retryAfter, migrateToChatID: envelope.parameters?.migrateToChatID)
            }
            let code: TelegramError.Code = status == 200 ? .malformedResponse : TelegramError.code(forStatus: status)
            throw TelegramError(
                code, method: method, message: "Telegram \(method) failed: HTTP \(status) with a body that is not a Bot API answer",
                httpStatus: status, mayHaveBeenCarriedOut: status == 200 || status >= 500)
        }
    }

    /// `text` with the token cut out, should a server ever echo it.
    private func scrub(_ text: String) -> String {
        configuration.token.isEmpty ? text : text.replacing(configuration.token, with: "<token>")
    }
}
