import Events

/// What the Telegram double remembers; guarded by the double's condition.
struct TelegramState {
    /// Updates not yet confirmed, oldest first.
    var updates: [JSONValue] = []
    var nextUpdateID: Int64 = 1
    /// Chat objects by id.
    var chats: [Int64: JSONValue] = [:]
    /// Every message of every chat (the users' and the bot's), by chat then message id.
    var messages: [Int64: [Int: JSONValue]] = [:]
    private var lastMessageID: [Int64: Int] = [:]
    /// The bot's messages in sending order, and where each is in `sent`.
    var sent: [SentMessage] = []
    var sentIndex: [MessageKey: Int] = [:]
    var callbacks: [String: CallbackRecord] = [:]
    var callbackCounter = 0
    var chatActions: [(chatID: Int64, action: String)] = []
    /// Every draft accepted, in order.
    var drafts: [DraftRecord] = []
    /// Set: every `sendMessageDraft` is refused with this status and description (an old Bot API server).
    var draftRefusal: (status: Int, description: String)?
    var commands: [(command: String, description: String)] = []
    var webhook: String?
    /// Long polls: the one being held, and those a newer poll has ended (they answer 409).
    var pollCounter = 0
    var heldPoll: Int?
    var terminatedPolls: Set<Int> = []
    var faults: [String: [TelegramFault]] = [:]
    var requests: [TelegramRequestRecord] = []
    var requestCounter = 0
    var violations: [SpecViolation] = []
    var stopped = false

    /// The recorder keeps at most this many requests (the oldest half goes when it is full).
    static let recordLimit = 200_000

    struct MessageKey: Hashable {
        let chatID: Int64
        let messageID: Int
    }

    /// The chat object for `id`, created on first use.
    mutating func chat(_ id: Int64, type: String, userID: Int64?) -> JSONValue {
        if let known = chats[id] { return known }
        let chat: JSONValue =
            type == "private"
            ? [
                "id": .int(id), "type": "private", "first_name": .string("User \(userID ?? id)"),
                "username": .string("user\(userID ?? id)"),
            ]
            : ["id": .int(id), "type": .string(type), "title": .string("Group \(-id)")]
        chats[id] = chat
        return chat
    }

    /// The next message id of a chat (ids count up per chat, as in private chats and groups).
    mutating func nextMessageID(in chatID: Int64) -> Int {
        let id = (lastMessageID[chatID] ?? 0) + 1
        lastMessageID[chatID] = id
        return id
    }

    /// Takes the next scripted fault of `method`, if any.
    mutating func takeFault(for method: String) -> TelegramFault? {
        guard var queue = faults[method], !queue.isEmpty else { return nil }
        let fault = queue.removeFirst()
        faults[method] = queue.isEmpty ? nil : queue
        return fault
    }

    /// Records a request and returns its sequence number.
    mutating func record(_ make: (Int) -> TelegramRequestRecord) -> Int {
        requestCounter += 1
        if requests.count >= Self.recordLimit { requests.removeFirst(Self.recordLimit / 2) }
        requests.append(make(requestCounter))
        return requestCounter
    }

    /// Sets the answered status of request `sequence`.
    mutating func setStatus(_ status: Int?, of sequence: Int) {
        guard let index = requests.lastIndex(where: { $0.sequence == sequence }) else { return }
        requests[index].status = status
    }
}
