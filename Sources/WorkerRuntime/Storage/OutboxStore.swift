import Events
import Foundation

/// The `outbox` table: every message the worker sends, recorded before and after it is sent.
///
/// Status: `pending` -> `sending` -> `sent` | `failed`. A row is marked `sending` just before the call to
/// Telegram and `sent` (with Telegram's `message_id`, and a `reply.sent` event) just after. A row found in
/// `sending` at start was interrupted between the two and is sent again: the one window where a duplicate is
/// possible (docs/worker.md).
public struct OutboxStore: Sendable {
    public let store: EventStore

    public init(store: EventStore) {
        self.store = store
    }

    /// Queues `message` split into `parts` inside the caller's transaction; returns the row ids in order.
    @discardableResult
    public func enqueue(
        _ message: OutgoingMessage, parts: [String], runID: Int64?, inboxID: Int64?, assistantMessageID: Int64?,
        in connection: Connection
    ) throws(EventsError) -> [Int64] {
        let now = InboxStore.now()
        var ids: [Int64] = []
        for (index, text) in parts.enumerated() {
            try connection.execute(
                """
                INSERT INTO outbox (chat_id, text, kind, status, part, parts, parse_mode, reply_to_message_id,
                    reply_markup, run_id, inbox_id, assistant_message_id, created_at, updated_at)
                VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(message.chatID), .text(text), .text(message.kind), .integer(Int64(index + 1)),
                    .integer(Int64(parts.count)), SQLValue(message.parseMode),
                    SQLValue(index == 0 ? message.replyToMessageID : nil),
                    SQLValue(index == parts.count - 1 ? message.replyMarkup : nil), SQLValue(runID), SQLValue(inboxID),
                    SQLValue(assistantMessageID), .integer(now), .integer(now),
                ])
            ids.append(connection.lastInsertRowID)
        }
        return ids
    }

    /// Puts rows left in `sending` by a dead process back to `pending`; returns how many.
    @discardableResult
    public func requeueInterrupted() throws(EventsError) -> Int {
        try store.database.write { connection throws(EventsError) in
            try connection.execute(
                "UPDATE outbox SET status = 'pending', updated_at = ? WHERE status = 'sending'", [.integer(InboxStore.now())])
            return connection.changes
        }
    }

    /// Pending rows, oldest first.
    public func pending(limit: Int = 500) throws(EventsError) -> [OutboxRow] {
        try store.database.query(
            """
            SELECT id, chat_id, text, kind, status, attempts, part, parts, parse_mode, reply_to_message_id, reply_markup, run_id,
                inbox_id
            FROM outbox WHERE status = 'pending' ORDER BY id LIMIT ?
            """,
            [.integer(Int64(limit))]
        ).map { row in
            OutboxRow(
                id: row[0].int64 ?? 0, chatID: row[1].int64 ?? 0, text: row[2].string ?? "", kind: row[3].string ?? "reply",
                status: row[4].string ?? "", attempts: Int(row[5].int64 ?? 0), part: Int(row[6].int64 ?? 1),
                parts: Int(row[7].int64 ?? 1), parseMode: row[8].string, replyToMessageID: row[9].int64,
                replyMarkup: row[10].string, runID: row[11].int64, inboxID: row[12].int64)
        }
    }

    /// Marks the row `sending` and counts the attempt: the record written before the call to Telegram.
    public func markSending(_ id: Int64) throws(EventsError) {
        try store.database.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?",
            [.integer(InboxStore.now()), .integer(id)])
    }

    /// Marks the row `sent` with Telegram's message id and records `reply.sent`, in one transaction: the record
    /// written after the call.
    public func markSent(_ row: OutboxRow, messageID: Int64, parent: Int64?) throws(EventsError) {
        try store.database.write { connection throws(EventsError) in
            try connection.execute(
                "UPDATE outbox SET status = 'sent', message_id = ?, error = NULL, updated_at = ? WHERE id = ?",
                [.integer(messageID), .integer(InboxStore.now()), .integer(row.id)])
            try store.append(
                NewEvent(
                    EventKind.replySent, parent: row.runID ?? parent, run: row.runID, chat: row.chatID,
                    payload: [
                        "message_id": .int(messageID), "part": .int(Int64(row.part)), "parts": .int(Int64(row.parts)),
                        "kind": .string(row.kind), "outbox_id": .int(row.id),
                    ]),
                in: connection)
        }
    }

    /// Puts the row back to `pending` after a failure worth retrying.
    public func markPending(_ id: Int64, error: String) throws(EventsError) {
        try store.database.execute(
            "UPDATE outbox SET status = 'pending', error = ?, updated_at = ? WHERE id = ?",
            [.text(error), .integer(InboxStore.now()), .integer(id)])
    }

    /// Gives the row up: Telegram refused it for good (blocked by the user, chat not found).
    public func markFailed(_ id: Int64, error: String) throws(EventsError) {
        try store.database.execute(
            "UPDATE outbox SET status = 'failed', error = ?, updated_at = ? WHERE id = ?",
            [.text(error), .integer(InboxStore.now()), .integer(id)])
    }
}
