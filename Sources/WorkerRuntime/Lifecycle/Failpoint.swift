import Foundation

/// Crash points for the tests of "nothing lost, nothing doubled": when `AGENT_FAILPOINT` names a point, the worker
/// kills itself with SIGKILL on reaching it, exactly as `kill -9` from outside would, at a moment no outside
/// observer could hit reliably. `point:text` arms the point only for messages containing `text` (a poison
/// message). With `AGENT_FAILPOINT_ACTION=hang` the worker instead blocks the thread that reached the point for
/// good, deaf to cancellation, as a loop that never ends would (the watchdog's tests). Unset (the default), every
/// check is a comparison and nothing else.
public struct Failpoint: Sendable {
    /// The points the worker passes, in the order of one message's life.
    public enum Point: String, Sendable, CaseIterable {
        /// The update is committed to `inbox`, before the next `getUpdates` confirms it.
        case afterUpdateStored = "after_update_stored"
        /// The run is recorded and the model is about to be called.
        case beforeModelCall = "before_model_call"
        /// A tool call's result is stored, before the next call or the next model call.
        case afterToolResultStored = "after_tool_result_stored"
        /// The reply and its outbox rows are committed, before anything is sent.
        case afterReplyStored = "after_reply_stored"
        /// Telegram accepted `sendMessage`, before the row is marked `sent` (the duplicate window).
        case afterSendBeforeMark = "after_send_before_mark"
        /// The row is marked `sent`.
        case afterReplyMarked = "after_reply_marked"
    }

    /// What happens at the point.
    public enum Action: String, Sendable {
        /// SIGKILL, as `kill -9` from outside.
        case kill
        /// The thread blocks for good.
        case hang
    }

    public let armed: Point?
    /// Only messages containing this text trigger the point.
    public let messageFilter: String?
    public let action: Action

    public init(_ setting: String?, action: Action = .kill) {
        let parts = setting?.split(separator: ":", maxSplits: 1).map(String.init) ?? []
        armed = parts.first.flatMap(Point.init(rawValue:))
        messageFilter = parts.count > 1 ? parts[1] : nil
        self.action = action
    }

    /// Dies here when this point is armed (and, with a filter, `message` contains it).
    public func check(_ point: Point, message: String? = nil) {
        guard armed == point else { return }
        if let messageFilter, !(message ?? "").contains(messageFilter) { return }
        switch action {
        case .kill:
            FileHandle.standardError.write(Data("agent-worker: failpoint \(point.rawValue) reached, killing myself\n".utf8))
            kill(getpid(), SIGKILL)
        case .hang:
            FileHandle.standardError.write(Data("agent-worker: failpoint \(point.rawValue) reached, hanging here\n".utf8))
            while true { sleep(3600) }
        }
    }
}
