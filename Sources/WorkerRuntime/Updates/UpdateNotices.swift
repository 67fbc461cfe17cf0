import Events
import Foundation
import Logging
import ProcessControl
import ServiceLifecycle
import Telegram

/// Tells the admins what happened to an update, from the pipeline's and the supervisor's events: a staged
/// artifact (its diffstat, test counts and Approve / Reject buttons), a failed stage, a deploy promoted or rolled
/// back, a requested rollback done.
///
/// Each notice is queued in the outbox for every admin's private chat together with `update.notice.queued
/// {about}` in one transaction, so each event is told once, by whichever worker runs after it (a rolled-back
/// deploy is told by the good worker that serves again).
public struct UpdateNotices: Service {
    /// The kinds that are told.
    static let kinds = [
        EventKind.updateArtifactStaged, EventKind.updateBuildFailed, EventKind.updateTestFailed, EventKind.updateSelfCheckFailed,
        EventKind.updateDeployCompleted, EventKind.updateDeployFailed, EventKind.updateRollbackCompleted,
    ]

    let store: EventStore
    let outbox: OutboxStore
    let admins: [Int64]
    let parent: Int64
    let newMessages: Doorbell
    let poll: Duration
    let logger: Logger

    public init(context: WorkerContext, poll: Duration = .milliseconds(500)) {
        store = context.store
        outbox = context.outbox
        admins = context.settings.adminUserIDs.sorted()
        parent = context.process.id
        newMessages = context.newMessages
        self.poll = poll
        logger = context.logger
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                if try tellNext() { continue }
            } catch {
                logger.warning("update notices: database error; trying again", metadata: ["error": "\(error.message)"])
            }
            try? await gracefulSleep(poll)
        }
    }

    private func gracefulSleep(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }

    /// Queues the notice of the oldest untold event; returns whether there was one.
    func tellNext() throws(EventsError) -> Bool {
        let placeholders = Self.kinds.map { _ in "?" }.joined(separator: ", ")
        let told =
            try store.database.query(
                "SELECT COALESCE(MAX(json_extract(payload, '$.about')), 0) FROM events WHERE kind = ?",
                [.text(EventKind.updateNoticeQueued)]
            ).first?[0].int64 ?? 0
        guard
            let row = try store.database.query(
                "SELECT id, kind, payload FROM events WHERE id > ? AND kind IN (\(placeholders)) ORDER BY id LIMIT 1",
                [.integer(told)] + Self.kinds.map { .text($0) }
            ).first, let id = row[0].int64, let kind = row[1].string
        else { return false }
        let payload = row[2].string.flatMap { try? JSONValue(parsing: $0) }?.objectValue ?? [:]
        let notice = Self.notice(kind: kind, payload: payload)
        try store.database.write { connection throws(EventsError) in
            for admin in admins {
                try outbox.enqueue(
                    OutgoingMessage(chatID: admin, text: notice.text, kind: "notice", parseMode: "HTML", replyMarkup: notice.markup),
                    parts: MessageSplitter.split(notice.text), runID: nil, inboxID: nil, assistantMessageID: nil, in: connection)
            }
            try store.append(
                NewEvent(
                    EventKind.updateNoticeQueued, parent: parent,
                    payload: ["about": .int(id), "kind": .string(kind), "admins": .int(Int64(admins.count))]),
                in: connection)
        }
        if !admins.isEmpty { newMessages.ring() }
        return true
    }

    /// The text (HTML) and the buttons of the notice of one event.
    static func notice(kind: String, payload: JSONObject) -> (text: String, markup: String?) {
        let id = payload["artifact_id"]?.int64Value
        let rev = payload["rev"]?.stringValue.map { String($0.prefix(12)) } ?? "?"
        let reason = escape(payload["reason"]?.stringValue ?? "")
        switch kind {
        case EventKind.updateArtifactStaged:
            let tests = payload["tests"]
            let counts =
                tests?["ran"]?.boolValue == false
                ? "not run (a binary staged as it is)"
                : "\(tests?["passed"]?.int64Value ?? 0) passed, \(tests?["failed"]?.int64Value ?? 0) failed, \(tests?["skipped"]?.int64Value ?? 0) skipped"
            let text = """
                <b>Update staged</b>: artifact #\(id ?? 0), rev <code>\(rev)</code>
                <pre>\(escape(String((payload["diffstat"]?.stringValue ?? "").prefix(2500))))</pre>
                tests: \(counts)
                self-check: \(escape(payload["self_check"]?.stringValue ?? "?"))
                Approve to deploy it (the supervisor then holds it on probation and rolls back if it fails).
                """
            let markup = InlineKeyboardMarkup([
                [
                    .init(text: "Approve", callbackData: "approve:\(id ?? 0)"), .init(text: "Reject", callbackData: "reject:\(id ?? 0)"),
                ]
            ])
            let json = (try? JSONEncoder().encode(markup)).map { String(decoding: $0, as: UTF8.self) }
            return (text, json)
        case EventKind.updateBuildFailed, EventKind.updateTestFailed, EventKind.updateSelfCheckFailed:
            let step = kind.split(separator: ".").dropFirst().first.map(String.init) ?? "stage"
            return ("<b>Stage failed</b> at \(step): artifact #\(id ?? 0)\n\(reason)\nNothing was deployed.", nil)
        case EventKind.updateDeployCompleted:
            return ("<b>Update promoted</b>: rev <code>\(rev)</code> passed its probation and is the good revision now.", nil)
        case EventKind.updateDeployFailed where payload["deployed"] == false:
            return ("<b>Update refused</b>: rev <code>\(rev)</code> was not deployed (\(reason)); the running revision is untouched.", nil)
        case EventKind.updateDeployFailed:
            let back = payload["rolled_back_to"]?.stringValue.map { "; rolled back to <code>\(String($0.prefix(12)))</code>" } ?? ""
            return ("<b>Update rolled back</b>: rev <code>\(rev)</code> failed (\(reason))\(back).", nil)
        default:
            let ok = payload["ok"]?.boolValue ?? false
            return ok
                ? ("<b>Rollback done</b>: rev <code>\(rev)</code> serves again and is the good revision.", nil)
                : ("<b>Rollback failed</b>: \(escape(payload["error"]?.stringValue ?? "unknown reason")).", nil)
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
