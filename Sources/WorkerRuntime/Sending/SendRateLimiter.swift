/// Keeps the sender within Telegram's limits: at most `perChat` messages a second to one chat, `total` in all, and
/// nothing at all while a 429's `retry_after` runs.
///
/// Each send reserves the earliest slot that respects all three, then waits for it.
public actor SendRateLimiter {
    public let perChatInterval: Duration
    public let totalInterval: Duration
    private var nextFree: ContinuousClock.Instant = .now
    private var nextFreePerChat: [Int64: ContinuousClock.Instant] = [:]
    private var pausedUntil: ContinuousClock.Instant = .now

    public init(perChatPerSecond: Double, totalPerSecond: Double) {
        perChatInterval = .seconds(1 / perChatPerSecond)
        totalInterval = .seconds(1 / totalPerSecond)
    }

    /// Books the next slot for `chatID` and returns when it comes.
    public func reserve(chatID: Int64) -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        let slot = max(now, nextFree, nextFreePerChat[chatID] ?? now, pausedUntil)
        nextFree = slot + totalInterval
        nextFreePerChat[chatID] = slot + perChatInterval
        if nextFreePerChat.count > 10_000 { nextFreePerChat = nextFreePerChat.filter { $0.value > now } }
        return slot
    }

    /// Stops all sending for `duration` (Telegram's `retry_after`).
    public func pause(for duration: Duration) {
        pausedUntil = max(pausedUntil, .now + duration)
    }
}
