import Synchronization

/// What the worker knows about drafts in each chat until it restarts: whether Telegram refused them (then they
/// stay off for that chat), a pause Telegram asked for (429), and when the last draft ended, so that the throttle
/// holds across replies that follow each other.
public final class DraftChats: Sendable {
    private struct Chat {
        var refused = false
        var lastEnded: ContinuousClock.Instant?
        var pausedUntil: ContinuousClock.Instant?
    }

    private let chats = Mutex<[Int64: Chat]>([:])

    public init() {}

    /// Whether drafts may be sent in `chatID` (false once Telegram refused one there).
    public func allowsDrafts(in chatID: Int64) -> Bool {
        chats.withLock { $0[chatID]?.refused != true }
    }

    /// Turns drafts off in `chatID`; true the first time.
    func refuse(in chatID: Int64) -> Bool {
        chats.withLock { chats in
            defer { chats[chatID, default: Chat()].refused = true }
            return chats[chatID]?.refused != true
        }
    }

    /// Holds drafts in `chatID` back until `instant`.
    func pause(in chatID: Int64, until instant: ContinuousClock.Instant) {
        chats.withLock { $0[chatID, default: Chat()].pausedUntil = instant }
    }

    /// When the next draft may start in `chatID`: `interval` after the end of the last one, and not during a pause.
    func nextDraftAllowed(in chatID: Int64, interval: Duration) -> ContinuousClock.Instant? {
        chats.withLock { chats in
            let chat = chats[chatID]
            return [chat?.lastEnded.map { $0 + interval }, chat?.pausedUntil].compactMap { $0 }.max()
        }
    }

    /// Records that a draft in `chatID` ended (answered, refused or failed) at `instant`.
    func draftEnded(in chatID: Int64, at instant: ContinuousClock.Instant) {
        chats.withLock { $0[chatID, default: Chat()].lastEnded = instant }
    }
}
