import Events
import Foundation
import Telegram
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1))) struct TelegramClientTests {
    @Test func getMeDescribesTheBot() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let me = try await harness.client.getMe()
        #expect(me.id == harness.double.bot.id)
        #expect(me.isBot)
        #expect(me.username == harness.double.bot.username)
        #expect(harness.double.requests.map(\.token) == [TelegramHarness.token])
        #expect(harness.double.violations.isEmpty)
    }

    @Test func updatesStayUntilAHigherOffsetConfirmsThem() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let first = harness.double.sendUserMessage(chatID: 11, userID: 11, text: "one")
        harness.double.sendUserMessage(chatID: 11, userID: 11, text: "two")
        harness.double.sendUserMessage(chatID: 12, userID: 12, text: "three")

        let batch = try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 0, allowedUpdates: nil)
        #expect(batch.map(\.updateID) == [first, first + 1, first + 2])
        #expect(batch.map { $0.message?.text } == ["one", "two", "three"])
        // Not confirmed yet: the same updates again.
        let again = try await harness.client.getUpdates(offset: first, limit: 2, timeout: 0, allowedUpdates: nil)
        #expect(again.map(\.updateID) == [first, first + 1])
        // An offset past the second confirms the first two only.
        let rest = try await harness.client.getUpdates(offset: first + 2, limit: nil, timeout: 0, allowedUpdates: nil)
        #expect(rest.map(\.updateID) == [first + 2])
        #expect(harness.double.pendingUpdateCount == 1)
        let none = try await harness.client.getUpdates(offset: first + 3, limit: nil, timeout: 0, allowedUpdates: nil)
        #expect(none.isEmpty)
        #expect(harness.double.pendingUpdateCount == 0)
        #expect(harness.double.violations.isEmpty)
    }

    @Test func aLongPollIsHeldUntilAnUpdateArrives() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        async let updates = harness.client.getUpdates(offset: nil, limit: nil, timeout: 10, allowedUpdates: ["message", "callback_query"])
        while !harness.double.isPollHeld { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(100))
        harness.double.sendUserMessage(chatID: 3, userID: 3, text: "wake up")
        let received = try await updates
        #expect(received.map { $0.message?.text } == ["wake up"])
        #expect(clock.now - start < .seconds(3))
        #expect(harness.double.violations.isEmpty)
    }

    @Test func anEmptyLongPollEndsAtItsTimeout() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let updates = try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 1, allowedUpdates: nil)
        let elapsed = clock.now - start
        #expect(updates.isEmpty)
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(3))
    }

    @Test func aSecondPollerEndsTheHeldPollWithConflict() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        async let held = harness.error { () async throws(TelegramError) in
            try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 10, allowedUpdates: nil)
        }
        while !harness.double.isPollHeld { try await Task.sleep(for: .milliseconds(5)) }
        let other = harness.secondClient()
        async let newer = other.getUpdates(offset: nil, limit: nil, timeout: 1, allowedUpdates: nil)
        let error = try #require(await held)
        #expect(error.code == .conflict)
        #expect(error.errorCode == 409)
        #expect(error.apiDescription?.contains("terminated by other getUpdates request") == true)
        #expect(error.isTransient)
        #expect(try await newer.isEmpty)
    }

    @Test func aWebhookMakesGetUpdatesConflictUntilDeleted() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        harness.double.setWebhook("https://example.org/hook")
        harness.double.sendUserMessage(chatID: 4, userID: 4, text: "queued")
        let error = try #require(
            await harness.error { () async throws(TelegramError) in
                try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 0, allowedUpdates: nil)
            })
        #expect(error.code == .conflict)
        #expect(error.apiDescription?.contains("webhook is active") == true)
        try await harness.client.deleteWebhook(dropPendingUpdates: false)
        let updates = try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 0, allowedUpdates: nil)
        #expect(updates.count == 1)
        try await harness.client.deleteWebhook(dropPendingUpdates: true)
        #expect(harness.double.pendingUpdateCount == 0)
        #expect(harness.double.violations.isEmpty)
    }

    @Test func allowedUpdatesFilterTheKinds() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(update: [
            "edited_message": ["message_id": 1, "date": 1, "chat": ["id": 5, "type": "private"], "text": "edit"]
        ])
        harness.double.sendUserMessage(chatID: 5, userID: 5, text: "kept")
        let updates = try await harness.client.getUpdates(
            offset: nil, limit: nil, timeout: 0, allowedUpdates: ["message", "callback_query"])
        #expect(updates.map { $0.message?.text } == ["kept"])
        #expect(harness.double.violations.isEmpty)
    }

    @Test func groupMessagesCarryMentionsRepliesAndTheRawJSON() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let botName = harness.double.bot.username
        let sent = try await harness.client.sendMessage(chatID: -100_42, text: "earlier")
        harness.double.sendUserMessage(chatID: -100_42, userID: 8, text: "/ask@\(botName) hi @\(botName)", replyToMessageID: sent.messageID)
        let update = try #require(try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 0, allowedUpdates: nil).first)
        let message = try #require(update.message)
        #expect(message.chat.type == .supergroup)
        #expect(message.chat.isGroup)
        #expect(message.from?.id == 8)
        #expect(message.replyToMessage?.messageID == sent.messageID)
        #expect(message.replyToMessage?.from?.id == harness.double.bot.id)
        let entities = message.entities ?? []
        #expect(entities.map(\.type) == [.botCommand, .mention])
        #expect(entities.last?.substring(of: message.text ?? "") == "@\(botName)")
        let raw = try #require(JSONValue(parsing: update.rawJSON).objectValue)
        #expect(raw["update_id"]?.int64Value == update.updateID)
        #expect(raw["message"]?["text"]?.stringValue == message.text)
        #expect(harness.double.violations.isEmpty)
    }

    @Test func anOddUpdateComesThroughWithItsIDAndRawJSON() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let id = harness.double.enqueue(update: ["message": ["message_id": "not a number", "chat": "nowhere"]])
        let updates = try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 0, allowedUpdates: nil)
        #expect(updates.map(\.updateID) == [id])
        #expect(updates.first?.message == nil)
        #expect(updates.first?.rawJSON.contains("not a number") == true)
    }

    @Test func sendMessageWithHTMLReplyAndButtons() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        harness.double.sendUserMessage(chatID: 21, userID: 21, text: "question")
        let keyboard = InlineKeyboardMarkup([
            [.init(text: "Approve", callbackData: "approve:7"), .init(text: "Reject", callbackData: "reject:7")]
        ])
        let message = try await harness.client.sendMessage(
            chatID: 21, text: "<b>Staged</b> &amp; ready", parseMode: .html, replyToMessageID: 1, replyMarkup: keyboard,
            disableLinkPreview: true)
        #expect(message.messageID == 2)
        #expect(message.text == "Staged & ready")
        #expect(message.entities?.first?.type == .bold)
        #expect(message.replyMarkup == keyboard)
        #expect(message.replyToMessage?.text == "question")
        let stored = try #require(harness.double.sentMessages(chatID: 21).first)
        #expect(stored.text == "Staged & ready")
        #expect(stored.rawText == "<b>Staged</b> &amp; ready")
        #expect(stored.parseMode == "HTML")
        #expect(stored.callbackData == ["approve:7", "reject:7"])
        #expect(stored.replyToMessageID == 1)
        #expect(harness.double.violations.isEmpty)
    }

    @Test func unparsableHTMLIsRefusedAsTelegramDoes() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let error = try #require(
            await harness.error { () async throws(TelegramError) in
                try await harness.client.sendMessage(chatID: 1, text: "if a < b then <b>win", parseMode: .html)
            })
        #expect(error.isCantParseEntities)
        #expect(error.code == .badRequest)
        let plain = try await harness.client.sendMessage(chatID: 1, text: "if a < b then <b>win")
        #expect(plain.text == "if a < b then <b>win")
        #expect(harness.double.violations.isEmpty)
    }

    @Test func editingTextAndButtons() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let keyboard = InlineKeyboardMarkup([[.init(text: "Go", callbackData: "go")]])
        let sent = try await harness.client.sendMessage(chatID: 31, text: "draft", replyMarkup: keyboard)
        let edited = try await harness.client.editMessageText(
            chatID: 31, messageID: sent.messageID, text: "final", parseMode: nil, replyMarkup: keyboard)
        #expect(edited.text == "final")
        #expect(edited.editDate != nil)
        let unchanged = try #require(
            await harness.error { () async throws(TelegramError) in
                try await harness.client.editMessageText(
                    chatID: 31, messageID: sent.messageID, text: "final", parseMode: nil, replyMarkup: keyboard)
            })
        #expect(unchanged.isMessageNotModified)
        let bare = try await harness.client.editMessageReplyMarkup(chatID: 31, messageID: sent.messageID, replyMarkup: nil)
        #expect(bare.replyMarkup == nil)
        let missing = try #require(
            await harness.error { () async throws(TelegramError) in
                try await harness.client.editMessageText(chatID: 31, messageID: 99, text: "x", parseMode: nil, replyMarkup: nil)
            })
        #expect(missing.apiDescription == "Bad Request: message to edit not found")
        let stored = try #require(harness.double.sentMessages(chatID: 31).first)
        #expect(stored.text == "final")
        #expect(stored.previousTexts == ["draft"])
        #expect(stored.replyMarkup == nil)
        #expect(harness.double.violations.isEmpty)
    }

    @Test func buttonPressesAreAnsweredOnce() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let sent = try await harness.client.sendMessage(
            chatID: 41, text: "Approve?", replyMarkup: InlineKeyboardMarkup([[.init(text: "Yes", callbackData: "approve:3")]]))
        let queryID = harness.double.pressButton(chatID: 41, userID: 41, messageID: sent.messageID, data: "approve:3")
        let update = try #require(
            try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 0, allowedUpdates: ["callback_query"]).first)
        let query = try #require(update.callbackQuery)
        #expect(query.id == queryID)
        #expect(query.data == "approve:3")
        #expect(query.from.id == 41)
        #expect(query.message?.messageID == sent.messageID)
        #expect(query.message?.isAccessible == true)
        try await harness.client.answerCallbackQuery(id: query.id, text: "Approved", showAlert: false)
        #expect(harness.double.callbackAnswers[query.id] == "Approved")
        let twice = try #require(
            await harness.error { () async throws(TelegramError) in try await harness.client.answerCallbackQuery(id: query.id) })
        #expect(twice.code == .badRequest)
        #expect(harness.double.violations.isEmpty)
    }

    @Test func chatActionsWebhookAndCommands() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        try await harness.client.sendChatAction(chatID: 51, action: .typing)
        try await harness.client.deleteWebhook(dropPendingUpdates: false)
        try await harness.client.setMyCommands([BotCommand("new", "Start a new conversation"), BotCommand("status", "Uptime and usage")])
        #expect(harness.double.chatActions.map(\.action) == ["typing"])
        #expect(harness.double.commands.map(\.command) == ["new", "status"])
        #expect(harness.double.requests.map(\.method) == ["sendChatAction", "deleteWebhook", "setMyCommands"])
        #expect(harness.double.violations.isEmpty)
    }

    @Test func aCancelledLongPollEndsAtOnce() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let poll = Task { () async -> TelegramError? in
            await harness.error { () async throws(TelegramError) in
                try await harness.client.getUpdates(offset: nil, limit: nil, timeout: 20, allowedUpdates: nil)
            }
        }
        while !harness.double.isPollHeld { try await Task.sleep(for: .milliseconds(5)) }
        poll.cancel()
        let error = try #require(await poll.value)
        #expect(error.code == .cancelled)
        #expect(clock.now - start < .seconds(3))
    }

    @Test func anUnreachableServerIsATransportErrorWithoutTheToken() async throws {
        let harness = try TelegramHarness()
        harness.double.stop()
        let error = try #require(await harness.error { () async throws(TelegramError) in try await harness.client.getMe() })
        #expect(error.code == .transport)
        #expect(error.transportCode != nil)
        #expect(SecretLeakCheck.leaks(of: TelegramHarness.token, in: error).isEmpty)
        #expect(SecretLeakCheck.leaks(of: "secret-token", in: error).isEmpty)
    }

    @Test func theConfigurationNeverShowsTheToken() throws {
        let configuration = try TelegramConfiguration.fromEnvironment([
            "TELEGRAM_BOT_TOKEN": TelegramHarness.token, "TELEGRAM_API_BASE": "http://127.0.0.1:9",
        ])
        #expect(configuration.apiBase.absoluteString == "http://127.0.0.1:9")
        #expect(SecretLeakCheck.leaks(of: TelegramHarness.token, in: configuration).isEmpty)
        #expect(SecretLeakCheck.leaks(of: TelegramHarness.token, in: TelegramClient(configuration: configuration)).isEmpty)
        #expect(try TelegramConfiguration.fromEnvironment(["TELEGRAM_BOT_TOKEN": "1:x"]).apiBase == TelegramConfiguration.defaultAPIBase)
        for broken in [[:], ["TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_API_BASE": "ftp://x"], ["TELEGRAM_BOT_TOKEN": "has space"]] {
            #expect(throws: TelegramError.self) { try TelegramConfiguration.fromEnvironment(broken) }
        }
        do {
            _ = try TelegramConfiguration.fromEnvironment(["TELEGRAM_BOT_TOKEN": "12 secret"])
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(!error.message.contains("12 secret"))
        }
    }
}
