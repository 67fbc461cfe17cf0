/// The Bot API calls the agent makes. `TelegramClient` is the real one; tests point it at `TelegramDouble`.
///
/// Every call throws only `TelegramError`, whose texts never hold the token.
public protocol TelegramAPI: Sendable {
    /// The bot itself; also proves the token works.
    func getMe() async throws(TelegramError) -> User

    /// Updates from `offset` on (which confirms every earlier one), waiting up to `timeout` seconds for one to
    /// arrive; `allowedUpdates` (`["message", "callback_query"]`) filters the kinds. The HTTP deadline is longer
    /// than the poll.
    func getUpdates(offset: Int64?, limit: Int?, timeout: Int, allowedUpdates: [String]?) async throws(TelegramError) -> [Update]

    /// Sends a text (1-4096 UTF-16 units after entity parsing), as a reply when `replyToMessageID` is set (sent
    /// anyway when that message is gone).
    func sendMessage(
        chatID: Int64, text: String, parseMode: ParseMode?, replyToMessageID: Int?, replyMarkup: InlineKeyboardMarkup?,
        disableLinkPreview: Bool
    ) async throws(TelegramError) -> Message

    /// Replaces the text of one of the bot's messages; without `replyMarkup` its inline keyboard goes away.
    func editMessageText(
        chatID: Int64, messageID: Int, text: String, parseMode: ParseMode?, replyMarkup: InlineKeyboardMarkup?
    ) async throws(TelegramError) -> Message

    /// Replaces (or, with `nil`, removes) the inline keyboard of one of the bot's messages.
    func editMessageReplyMarkup(chatID: Int64, messageID: Int, replyMarkup: InlineKeyboardMarkup?) async throws(TelegramError) -> Message

    /// Shows (or updates) the draft `draftID` of a message being written, in a private chat (Bot API 9.5): an
    /// ephemeral preview, animated from one text to the next of the same draft, that the final `sendMessage` must
    /// follow. `text` is 0-4096 characters (empty: a "Thinking..." placeholder). Refused in groups.
    func sendMessageDraft(chatID: Int64, draftID: Int64, text: String, parseMode: ParseMode?) async throws(TelegramError)

    /// Shows "typing..." (or another action) in a chat for about five seconds.
    func sendChatAction(chatID: Int64, action: ChatAction) async throws(TelegramError)

    /// Answers a button press (it must be answered, even with no text); `showAlert` shows a dialog, not a toast.
    func answerCallbackQuery(id: String, text: String?, showAlert: Bool) async throws(TelegramError)

    /// Removes any webhook, so that `getUpdates` works; `dropPendingUpdates` also discards waiting updates.
    func deleteWebhook(dropPendingUpdates: Bool) async throws(TelegramError)

    /// Sets the command menu of the bot.
    func setMyCommands(_ commands: [BotCommand]) async throws(TelegramError)
}

extension TelegramAPI {
    /// `sendMessage` with the usual defaults: no markup, not a reply, link previews on.
    public func sendMessage(
        chatID: Int64, text: String, parseMode: ParseMode? = nil, replyToMessageID: Int? = nil, replyMarkup: InlineKeyboardMarkup? = nil
    ) async throws(TelegramError) -> Message {
        try await sendMessage(
            chatID: chatID, text: text, parseMode: parseMode, replyToMessageID: replyToMessageID, replyMarkup: replyMarkup,
            disableLinkPreview: false)
    }

    /// `answerCallbackQuery` with no text.
    public func answerCallbackQuery(id: String) async throws(TelegramError) {
        try await answerCallbackQuery(id: id, text: nil, showAlert: false)
    }
}
