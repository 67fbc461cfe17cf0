import ProcessControl
import Synchronization

/// The runs in progress per chat, so that `/stop` can end one from outside its chat's queue.
public final class ChatStops: Sendable {
    private let signals = Mutex<[Int64: StopSignal]>([:])

    public init() {}

    /// Raised when the run of `chatID` was stopped by `/stop`.
    public struct Stopped: Error {}

    /// Runs `body` as the chat's current run; it is cancelled, and `Stopped` thrown, when `stop(chatID:)` is called.
    public func run<T: Sendable>(chatID: Int64, _ body: @Sendable @escaping () async throws -> T) async throws -> T {
        let signal = StopSignal()
        signals.withLock { $0[chatID] = signal }
        defer { signals.withLock { _ = $0.removeValue(forKey: chatID) } }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                await signal.wait()
                if Task.isCancelled { return nil }
                throw Stopped()
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let value = result { return value }
            }
            throw CancellationError()
        }
    }

    /// Stops the chat's run; returns whether one was running.
    @discardableResult
    public func stop(chatID: Int64) -> Bool {
        guard let signal = signals.withLock({ $0[chatID] }) else { return false }
        signal.raise()
        return true
    }
}
