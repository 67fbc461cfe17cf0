import Foundation

/// Crash points for the tests of "nothing lost, nothing doubled": when `AGENT_FAILPOINT` names a point, the worker
/// kills itself with SIGKILL on reaching it, exactly as `kill -9` from outside would, at a moment no outside
/// observer could hit reliably. Unset (the default), every check is a comparison and nothing else.
public struct Failpoint: Sendable {
    /// The points the worker passes, in the order of one message's life.
    public enum Point: String, Sendable, CaseIterable {
        /// The update is committed to `inbox`, before the next `getUpdates` confirms it.
        case afterUpdateStored = "after_update_stored"
        /// The reply and its outbox rows are committed, before anything is sent.
        case afterReplyStored = "after_reply_stored"
        /// Telegram accepted `sendMessage`, before the row is marked `sent` (the duplicate window).
        case afterSendBeforeMark = "after_send_before_mark"
        /// The row is marked `sent`.
        case afterReplyMarked = "after_reply_marked"
    }

    public let armed: Point?

    public init(_ name: String?) {
        armed = name.flatMap(Point.init(rawValue:))
    }

    /// Dies here when this point is armed.
    public func check(_ point: Point) {
        guard armed == point else { return }
        FileHandle.standardError.write(Data("agent-worker: failpoint \(point.rawValue) reached, killing myself\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
