/// The bodies and envelopes of the Bot API calls the client makes, in Telegram's field names.
extension TelegramClient {
    struct Empty: Encodable {}

    struct GetUpdates: Encodable {
        let offset: Int64?
        let limit: Int?
        let timeout: Int
        let allowedUpdates: [String]?

        enum CodingKeys: String, CodingKey {
            case offset, limit, timeout
            case allowedUpdates = "allowed_updates"
        }
    }

    struct ReplyParameters: Encodable {
        let messageID: Int
        let allowSendingWithoutReply: Bool

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case allowSendingWithoutReply = "allow_sending_without_reply"
        }
    }

    struct LinkPreviewOptions: Encodable {
        let isDisabled: Bool

        enum CodingKeys: String, CodingKey {
            case isDisabled = "is_disabled"
        }
    }

    struct SendMessage: Encodable {
        let chatID: Int64
        let text: String
        let parseMode: ParseMode?
        let replyParameters: ReplyParameters?
        let replyMarkup: InlineKeyboardMarkup?
        let linkPreviewOptions: LinkPreviewOptions?

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case text
            case parseMode = "parse_mode"
            case replyParameters = "reply_parameters"
            case replyMarkup = "reply_markup"
            case linkPreviewOptions = "link_preview_options"
        }
    }

    struct SendMessageDraft: Encodable {
        let chatID: Int64
        let draftID: Int64
        let text: String
        let parseMode: ParseMode?

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case draftID = "draft_id"
            case text
            case parseMode = "parse_mode"
        }
    }

    struct EditMessageText: Encodable {
        let chatID: Int64
        let messageID: Int
        let text: String
        let parseMode: ParseMode?
        let replyMarkup: InlineKeyboardMarkup?

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
            case text
            case parseMode = "parse_mode"
            case replyMarkup = "reply_markup"
        }
    }

    struct EditMessageReplyMarkup: Encodable {
        let chatID: Int64
        let messageID: Int
        let replyMarkup: InlineKeyboardMarkup?

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
            case replyMarkup = "reply_markup"
        }
    }

    struct SendChatAction: Encodable {
        let chatID: Int64
        let action: ChatAction

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case action
        }
    }

    struct AnswerCallbackQuery: Encodable {
        let callbackQueryID: String
        let text: String?
        let showAlert: Bool?

        enum CodingKeys: String, CodingKey {
            case callbackQueryID = "callback_query_id"
            case text
            case showAlert = "show_alert"
        }
    }

    struct DeleteWebhook: Encodable {
        let dropPendingUpdates: Bool

        enum CodingKeys: String, CodingKey {
            case dropPendingUpdates = "drop_pending_updates"
        }
    }

    struct SetMyCommands: Encodable {
        let commands: [BotCommand]
    }

    /// `ok` and the error fields of any answer.
    struct StatusEnvelope: Decodable {
        let ok: Bool
        let errorCode: Int?
        let description: String?
        let parameters: ResponseParameters?

        enum CodingKeys: String, CodingKey {
            case ok, description, parameters
            case errorCode = "error_code"
        }
    }

    struct ResponseParameters: Decodable {
        let retryAfter: Int?
        let migrateToChatID: Int64?

        enum CodingKeys: String, CodingKey {
            case retryAfter = "retry_after"
            case migrateToChatID = "migrate_to_chat_id"
        }
    }

    /// The `result` of an `ok: true` answer.
    struct ResultEnvelope<Result: Decodable>: Decodable {
        let result: Result
    }
}
