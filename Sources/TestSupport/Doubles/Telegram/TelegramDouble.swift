import Events
import Foundation

/// A Telegram Bot API server on 127.0.0.1, for tests, benchmarks and demos.
///
/// It keeps an update queue with the real `offset` semantics (an update is confirmed by the next `getUpdates` whose
/// offset is higher), holds long polls until an update arrives or the timeout passes, answers 409 to a poll that a
/// newer poll replaces and to every poll while a webhook is set, keeps the chats and the bot's messages (ids,
/// edits, inline keyboards), and plays scripted faults per method. Every request is recorded and checked against
/// `specs/telegram-bot-api.json`; what the specification does not allow is kept in `violations`.
///
/// Point a client at `apiBase` (`TELEGRAM_API_BASE`); any token is accepted unless one is given. Call `stop()`.
public final class TelegramDouble: @unchecked Sendable {
    // Every mutable member below is guarded by `condition` (an NSCondition, also used to wake held long polls).
    let condition = NSCondition()
    var state = TelegramState()
    private var server: LoopbackHTTPServer?

    /// The bot `getMe` describes.
    public let bot: TelegramBotProfile
    /// The only token accepted, or `nil` for any.
    public let token: String?
    let specification: TelegramSpecification?

    /// Starts the double on 127.0.0.1:`port` (0: an ephemeral port).
    ///
    /// - Parameters:
    ///   - token: the only bot token accepted (others get 401 Unauthorized); `nil` accepts any.
    ///   - validate: checks every request against the committed specification (on by default).
    /// - Throws: `DoubleError` when the port cannot be listened on or the specification cannot be read.
    public init(port: Int = 0, token: String? = nil, bot: TelegramBotProfile = TelegramBotProfile(), validate: Bool = true)
        throws(DoubleError)
    {
        self.bot = bot
        self.token = token
        self.specification = validate ? try TelegramSpecification.shared() : nil
        server = try LoopbackHTTPServer(port: port) { [weak self] request in
            self?.handle(request) ?? .dropConnection
        }
    }

    /// The port the double listens on.
    public var port: Int { server?.port ?? 0 }

    /// The value for `TELEGRAM_API_BASE`: `http://127.0.0.1:<port>`.
    public var apiBase: String { "http://127.0.0.1:\(port)" }

    /// Stops the server; held long polls end at once. Idempotent.
    public func stop() {
        locked {
            state.stopped = true
            condition.broadcast()
        }
        server?.stop()
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    // MARK: Users

    /// A user writes `text` in a chat: queues a `message` update and returns its `update_id`.
    ///
    /// The chat is private when `chatID` is positive, a supergroup when negative (or `chatType`). A leading
    /// `/command` and every `@botname` get their entities, as Telegram adds them.
    @discardableResult
    public func sendUserMessage(
        chatID: Int64, userID: Int64, text: String, chatType: String? = nil, replyToMessageID: Int? = nil
    ) -> Int64 {
        locked {
            let type = chatType ?? (chatID > 0 ? "private" : "supergroup")
            let chat = state.chat(chatID, type: type, userID: userID)
            let messageID = state.nextMessageID(in: chatID)
            var message: [String: JSONValue] = [
                "message_id": .int(Int64(messageID)), "from": Self.user(userID), "chat": chat, "date": .int(Self.now),
                "text": .string(text),
            ]
            let entities = Self.entities(in: text, botUsername: bot.username)
            if !entities.isEmpty { message["entities"] = .array(entities) }
            if let replyToMessageID, let original = state.messages[chatID]?[replyToMessageID] {
                message["reply_to_message"] = original
            }
            state.messages[chatID, default: [:]][messageID] = .object(message)
            return enqueueLocked(["message": .object(message)])
        }
    }

    /// A user presses an inline button of the bot's message: queues a `callback_query` update and returns the
    /// query's id (which `answerCallbackQuery` must answer).
    @discardableResult
    public func pressButton(chatID: Int64, userID: Int64, messageID: Int, data: String) -> String {
        locked {
            state.callbackCounter += 1
            let id = "\(bot.id)\(state.callbackCounter)"
            var query: [String: JSONValue] = [
                "id": .string(id), "from": Self.user(userID), "chat_instance": .string("\(chatID)"), "data": .string(data),
            ]
            if let message = state.messages[chatID]?[messageID] { query["message"] = message }
            state.callbacks[id] = CallbackRecord(chatID: chatID, messageID: messageID, data: data)
            enqueueLocked(["callback_query": .object(query)])
            return id
        }
    }

    /// Queues any update object (its `update_id` is set by the double) and returns its `update_id`.
    @discardableResult
    public func enqueue(update: [String: JSONValue]) -> Int64 {
        locked { enqueueLocked(update) }
    }

    /// Appends an update with the next `update_id` and wakes held polls; the caller holds the lock.
    @discardableResult
    private func enqueueLocked(_ update: [String: JSONValue]) -> Int64 {
        let id = state.nextUpdateID
        state.nextUpdateID += 1
        var update = update
        update["update_id"] = .int(id)
        state.updates.append(.object(update))
        condition.broadcast()
        return id
    }

    /// The next updates get ids from `id` on, as Telegram picks a random one after a week without updates (which
    /// may be lower than every id so far).
    public func restartUpdateIDs(at id: Int64) {
        locked { state.nextUpdateID = id }
    }

    /// How many updates are not yet confirmed by a `getUpdates` with a higher offset.
    public var pendingUpdateCount: Int { locked { state.updates.count } }

    /// Whether a `getUpdates` is being held open right now.
    public var isPollHeld: Bool { locked { state.heldPoll != nil } }

    // MARK: Faults

    /// The next `times` calls of `method` meet `fault` instead of (or, for `.slow`, before) the normal answer.
    public func script(_ fault: TelegramFault, for method: String, times: Int = 1) {
        locked { state.faults[method, default: []].append(contentsOf: Array(repeating: fault, count: times)) }
    }

    /// Sets a webhook as another program would, so that `getUpdates` answers 409; `nil` removes it.
    public func setWebhook(_ url: String?) {
        locked {
            state.webhook = url
            condition.broadcast()
        }
    }

    // MARK: Observation

    /// Every request received, oldest first.
    public var requests: [TelegramRequestRecord] { locked { state.requests } }

    /// The requests for `method`.
    public func requests(for method: String) -> [TelegramRequestRecord] { locked { state.requests.filter { $0.method == method } } }

    /// Every request that broke the specification, in order. Tests assert this is empty.
    public var violations: [SpecViolation] { locked { state.violations } }

    /// The bot's messages in `chatID` (in every chat when `nil`), in the order they were sent, edits applied.
    public func sentMessages(chatID: Int64? = nil) -> [SentMessage] {
        locked { state.sent.filter { chatID == nil || $0.chatID == chatID } }
    }

    /// Waits until the bot has sent at least `count` messages (in `chatID`, or in all chats) or `timeout` passes;
    /// returns the messages there are then.
    public func waitForSentMessages(count: Int, chatID: Int64? = nil, timeout: Duration = .seconds(5)) async -> [SentMessage] {
        await poll(timeout: timeout) {
            let messages = self.sentMessages(chatID: chatID)
            return messages.count >= count ? messages : nil
        } ?? sentMessages(chatID: chatID)
    }

    /// Waits until at least `count` requests for `method` have arrived or `timeout` passes; returns them.
    public func waitForRequests(_ method: String, count: Int = 1, timeout: Duration = .seconds(5)) async -> [TelegramRequestRecord] {
        await poll(timeout: timeout) {
            let found = self.requests(for: method)
            return found.count >= count ? found : nil
        } ?? requests(for: method)
    }

    /// The drafts accepted in `chatID` (in every chat when `nil`), in order.
    public func drafts(chatID: Int64? = nil) -> [DraftRecord] {
        locked { state.drafts.filter { chatID == nil || $0.chatID == chatID } }
    }

    /// Waits until at least `count` drafts were accepted (in `chatID`, or in all chats) or `timeout` passes.
    public func waitForDrafts(count: Int, chatID: Int64? = nil, timeout: Duration = .seconds(5)) async -> [DraftRecord] {
        await poll(timeout: timeout) {
            let drafts = self.drafts(chatID: chatID)
            return drafts.count >= count ? drafts : nil
        } ?? drafts(chatID: chatID)
    }

    /// Refuses every `sendMessageDraft` from now on with `status` and `description` (`nil`: accepts them again),
    /// as a Bot API server older than 9.5 would.
    public func refuseDrafts(status: Int = 400, description: String? = "Bad Request: method sendMessageDraft is not available") {
        locked { state.draftRefusal = description.map { (status, $0) } }
    }

    /// The chat actions sent, as `(chat id, action)`, in order.
    public var chatActions: [(chatID: Int64, action: String)] { locked { state.chatActions } }

    /// The answers to callback queries: query id to the `text` shown (empty when none).
    public var callbackAnswers: [String: String] { locked { state.callbacks.compactMapValues(\.answer) } }

    /// The commands last set with `setMyCommands`, as `(command, description)`.
    public var commands: [(command: String, description: String)] { locked { state.commands } }

    private func poll<T: Sendable>(timeout: Duration, _ probe: @Sendable () -> T?) async -> T? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = probe() { return found }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    // MARK: Objects

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    static func user(_ id: Int64) -> JSONValue {
        ["id": .int(id), "is_bot": false, "first_name": .string("User \(id)"), "username": .string("user\(id)"), "language_code": "en"]
    }

    /// The `bot_command` entity of a leading `/command` (`/ask@botname` included) and the `mention` entities of
    /// `@botname` after it.
    static func entities(in text: String, botUsername: String) -> [JSONValue] {
        var entities: [JSONValue] = []
        let units = Array(text.utf16)
        var index = 0
        if text.hasPrefix("/") {
            index = units.prefix { $0 != 0x20 && $0 != 0x0A }.count
            entities.append(["type": "bot_command", "offset": 0, "length": .int(Int64(index))])
        }
        let mention = Array("@\(botUsername)".utf16)
        while index + mention.count <= units.count {
            if Array(units[index..<(index + mention.count)]) == mention {
                entities.append(["type": "mention", "offset": .int(Int64(index)), "length": .int(Int64(mention.count))])
                index += mention.count
            } else {
                index += 1
            }
        }
        return entities
    }
}
