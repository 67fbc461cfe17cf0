import Telegram

/// Shows "typing..." in a chat while the agent works: first after `delay` (an answer quicker than that needs none,
/// and the call would only compete with the answer for the connection), then renewed every 4 s (Telegram shows it
/// about 5 s); stopped on every path out, success, error or cancellation alike.
public struct TypingIndicator: Sendable {
    public let telegram: any TelegramAPI
    public let interval: Duration
    public let delay: Duration

    public init(telegram: any TelegramAPI, interval: Duration = .seconds(4), delay: Duration = .seconds(1)) {
        self.telegram = telegram
        self.interval = interval
        self.delay = delay
    }

    public func whileRunning<T: Sendable>(chatID: Int64, _ body: @Sendable @escaping () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try? await Task.sleep(for: delay)
                while !Task.isCancelled {
                    try? await telegram.sendChatAction(chatID: chatID, action: .typing)
                    try? await Task.sleep(for: interval)
                }
                return nil
            }
            group.addTask { try await body() }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw CancellationError()
        }
    }
}
