import Events
import Foundation

extension TelegramDouble {
    /// The normal answer of `method`, as Telegram gives it.
    func perform(_ method: String, _ call: TelegramCall) -> HTTPReply {
        switch method {
        case "getMe": return Self.success(bot.user)
        case "getUpdates": return getUpdates(call)
        case "sendMessage": return sendMessage(call)
        case "editMessageText": return editMessage(call, text: true)
        case "editMessageReplyMarkup": return editMessage(call, text: false)
        case "sendChatAction": return sendChatAction(call)
        case "sendMessageDraft": return sendMessageDraft(call)
        case "answerCallbackQuery": return answerCallbackQuery(call)
        case "setWebhook":
            let url = call.string("url") ?? ""
            setWebhook(url.isEmpty ? nil : url)
            return Self.success(true)
        case "deleteWebhook":
            locked {
                state.webhook = nil
                if call.bool("drop_pending_updates") == true { state.updates.removeAll() }
                condition.broadcast()
            }
            return Self.success(true)
        case "getWebhookInfo":
            return locked {
                Self.success([
                    "url": .string(state.webhook ?? ""), "has_custom_certificate": false,
                    "pending_update_count": .int(Int64(state.updates.count)),
                ])
            }
        case "setMyCommands":
            let commands = (call["commands"]?.arrayValue ?? []).map {
                (command: $0["command"]?.stringValue ?? "", description: $0["description"]?.stringValue ?? "")
            }
            locked { state.commands = commands }
            return Self.success(true)
        case "getMyCommands":
            return locked {
                Self.success(.array(state.commands.map { ["command": .string($0.command), "description": .string($0.description)] }))
            }
        default:
            return Self.success(true)
        }
    }

    /// Confirms what the offset confirms, then answers the pending updates at once, or holds the poll until one
    /// arrives, a newer poll replaces it (409), or the timeout passes (an empty list).
    private func getUpdates(_ call: TelegramCall) -> HTTPReply {
        let offset = call.int("offset") ?? 0
        let limit = Int(call.int("limit") ?? 100)
        let timeout = Double(call.int("timeout") ?? 0)
        let allowed = call["allowed_updates"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
        let deadline = Date().addingTimeInterval(timeout)
        return locked {
            if state.webhook != nil {
                return Self.failure(
                    409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
            }
            if offset > 0 {
                state.updates.removeAll { ($0["update_id"]?.int64Value ?? 0) < offset }
            } else if offset < 0 {
                state.updates = Array(state.updates.suffix(Int(-offset)))
            }
            state.pollCounter += 1
            let poll = state.pollCounter
            if let held = state.heldPoll { state.terminatedPolls.insert(held) }
            state.heldPoll = poll
            condition.broadcast()
            defer { if state.heldPoll == poll { state.heldPoll = nil } }
            while true {
                if let allowed, !allowed.isEmpty {
                    state.updates.removeAll { update in !allowed.contains { update[$0] != nil } }
                }
                if !state.updates.isEmpty {
                    return Self.success(.array(Array(state.updates.prefix(max(1, min(limit, 100))))))
                }
                if state.terminatedPolls.remove(poll) != nil { return Self.failure(409, Self.terminatedByOtherPoll) }
                if state.webhook != nil || state.stopped || Date() >= deadline { return Self.success([]) }
                _ = condition.wait(until: deadline)
            }
        }
    }

    private func sendMessage(_ call: TelegramCall) -> HTTPReply {
        guard let chatID = call.int("chat_id") else { return Self.failure(400, "Bad Request: chat not found") }
        let rendered: (text: String, entities: [JSONValue])
        switch render(call) {
        case .success(let value): rendered = value
        case .failure(let refusal): return refusal
        }
        return locked {
            var replyTo: Int?
            if let id = call["reply_parameters"]?["message_id"]?.int64Value {
                guard state.messages[chatID]?[Int(id)] != nil || call["reply_parameters"]?["allow_sending_without_reply"]?.boolValue == true
                else { return Self.failure(400, "Bad Request: message to be replied not found") }
                replyTo = Int(id)
            }
            let chat = state.chat(chatID, type: chatID > 0 ? "private" : "supergroup", userID: nil)
            let messageID = state.nextMessageID(in: chatID)
            let date = Self.now
            var message: [String: JSONValue] = [
                "message_id": .int(Int64(messageID)), "from": bot.user, "chat": chat, "date": .int(date),
                "text": .string(rendered.text),
            ]
            if !rendered.entities.isEmpty { message["entities"] = .array(rendered.entities) }
            let markup = Self.inlineMarkup(call["reply_markup"])
            if let markup { message["reply_markup"] = markup }
            if let replyTo, let original = state.messages[chatID]?[replyTo] { message["reply_to_message"] = original }
            state.messages[chatID, default: [:]][messageID] = .object(message)
            state.sentIndex[.init(chatID: chatID, messageID: messageID)] = state.sent.count
            state.sent.append(
                SentMessage(
                    chatID: chatID, messageID: messageID, text: rendered.text, rawText: call.string("text") ?? "",
                    parseMode: call.string("parse_mode"), replyMarkup: markup, replyToMessageID: replyTo, previousTexts: [],
                    date: Int(date)))
            return Self.success(.object(message))
        }
    }

    /// `editMessageText` (`text: true`) or `editMessageReplyMarkup`: the bot's own message, changed, or the errors
    /// Telegram gives (not found, not the bot's, not modified). Editing the text without `reply_markup` removes the
    /// inline keyboard, as on Telegram.
    private func editMessage(_ call: TelegramCall, text: Bool) -> HTTPReply {
        guard let chatID = call.int("chat_id"), let messageID = call.int("message_id").map(Int.init) else {
            return Self.failure(400, "Bad Request: message identifier is not specified")
        }
        var rendered: (text: String, entities: [JSONValue])?
        if text {
            switch render(call) {
            case .success(let value): rendered = value
            case .failure(let refusal): return refusal
            }
        }
        return locked {
            guard let stored = state.messages[chatID]?[messageID]?.objectValue else {
                return Self.failure(400, "Bad Request: message to edit not found")
            }
            guard let index = state.sentIndex[.init(chatID: chatID, messageID: messageID)] else {
                return Self.failure(400, "Bad Request: message can't be edited")
            }
            var message = stored
            let markup = Self.inlineMarkup(call["reply_markup"])
            if let rendered {
                message["text"] = .string(rendered.text)
                message["entities"] = rendered.entities.isEmpty ? nil : .array(rendered.entities)
            }
            message["reply_markup"] = markup
            message["edit_date"] = nil
            var unchanged = stored
            unchanged["edit_date"] = nil
            if message == unchanged { return Self.failure(400, TelegramFault.messageNotModifiedDescription) }
            message["edit_date"] = .int(Self.now)
            state.messages[chatID]?[messageID] = .object(message)
            var record = state.sent[index]
            if let rendered {
                record.previousTexts.append(record.rawText)
                record.text = rendered.text
                record.rawText = call.string("text") ?? ""
                record.parseMode = call.string("parse_mode")
            }
            record.replyMarkup = markup
            state.sent[index] = record
            return Self.success(.object(message))
        }
    }

    /// A draft in a private chat, recorded; refused elsewhere (as Telegram does: `TEXTDRAFT_PEER_INVALID`), with a
    /// zero `draft_id`, a text over 4096 characters or HTML that does not parse, and always while drafts are refused.
    private func sendMessageDraft(_ call: TelegramCall) -> HTTPReply {
        if let refusal = locked({ state.draftRefusal }) { return Self.failure(refusal.status, refusal.description) }
        guard let chatID = call.int("chat_id") else { return Self.failure(400, "Bad Request: chat not found") }
        guard let draftID = call.int("draft_id"), draftID != 0 else { return Self.failure(400, "Bad Request: DRAFT_ID_INVALID") }
        let raw = call.string("text") ?? ""
        var text = raw
        if call.string("parse_mode") == "HTML" {
            switch TelegramHTML.parse(raw) {
            case .success(let parsed): text = parsed.text
            case .failure(let error): return Self.failure(400, "Bad Request: can't parse entities: \(error.reason)")
            }
        }
        if text.utf16.count > 4096 { return Self.failure(400, "Bad Request: TEXTDRAFT_TOO_LONG") }
        return locked {
            let type = state.chats[chatID]?["type"]?.stringValue ?? (chatID > 0 ? "private" : "supergroup")
            guard type == "private" else { return Self.failure(400, "Bad Request: TEXTDRAFT_PEER_INVALID") }
            state.drafts.append(
                DraftRecord(chatID: chatID, draftID: draftID, text: text, parseMode: call.string("parse_mode"), receivedAt: Date()))
            return Self.success(true)
        }
    }

    private func sendChatAction(_ call: TelegramCall) -> HTTPReply {
        guard let chatID = call.int("chat_id") else { return Self.failure(400, "Bad Request: chat not found") }
        locked { state.chatActions.append((chatID, call.string("action") ?? "")) }
        return Self.success(true)
    }

    private func answerCallbackQuery(_ call: TelegramCall) -> HTTPReply {
        locked {
            guard let id = call.string("callback_query_id"), state.callbacks[id]?.answer == nil, state.callbacks[id] != nil else {
                return Self.failure(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
            }
            state.callbacks[id]?.answer = call.string("text") ?? ""
            return Self.success(true)
        }
    }

    /// The visible text and entities of the call's `text` and `parse_mode`, or Telegram's 400 answer.
    private func render(_ call: TelegramCall) -> Result<(text: String, entities: [JSONValue]), HTTPReply> {
        let raw = call.string("text") ?? ""
        var text = raw
        var entities = call["entities"]?.arrayValue ?? []
        if call.string("parse_mode") == "HTML" {
            switch TelegramHTML.parse(raw) {
            case .success(let parsed):
                text = parsed.text
                entities = parsed.entities
            case .failure(let error):
                return .failure(Self.failure(400, "Bad Request: can't parse entities: \(error.reason)"))
            }
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .failure(Self.failure(400, "Bad Request: message text is empty"))
        }
        if text.utf16.count > 4096 { return .failure(Self.failure(400, "Bad Request: message is too long")) }
        return .success((text, entities))
    }

    /// The markup a message keeps: inline keyboards only (reply keyboards are not part of the message).
    static func inlineMarkup(_ markup: JSONValue?) -> JSONValue? {
        guard let markup, markup["inline_keyboard"] != nil else { return nil }
        return markup
    }
}
