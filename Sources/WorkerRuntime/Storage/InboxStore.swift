import Events
import Foundation

/// The `inbox` table: every Telegram update, stored before it is confirmed, then processed at most three times.
///
/// Status: `received` -> `processing` -> `done` | `failed` | `rejected`. A row left in `processing` by a process
/// that died is picked up again by the next one.
public struct InboxStore: Sendable {
    public let store: EventStore
    public let botID: Int64

    public init(store: EventStore, botID: Int64) {
        self.store = store
        self.botID = botID
    }

    /// Stores a page of updates, and a `telegram.update_received` event for each new one, in one transaction.
    /// Updates already stored (a page fetched twice) are ignored. Returns how many were new.
    ///
    /// The rows go in in the page's order: the last one inserted is what `telegram_offset` confirms next
    /// (`DerivedState.telegramOffset`), whatever its id.
    @discardableResult
    public func store(_ updates: [IncomingUpdate], parent: Int64?) throws(EventsError) -> Int {
        guard !updates.isEmpty else { return 0 }
        let now = Self.now()
        return try store.database.write { connection throws(EventsError) in
            var inserted = 0
            for update in updates {
                try connection.execute(
                    """
                    INSERT INTO inbox (bot_id, update_id, chat_id, user_id, raw, status, received_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 'received', ?, ?) ON CONFLICT (bot_id, update_id) DO NOTHING
                    """,
                    [
                        .integer(botID), .integer(update.updateID), SQLValue(update.chatID), SQLValue(update.userID), .text(update.raw),
                        .integer(now), .integer(now),
                    ])
                guard connection.changes == 1 else { continue }
                inserted += 1
                try store.append(
                    NewEvent(
                        EventKind.telegramUpdateReceived, parent: parent, chat: update.chatID, payload: ["update_id": .int(update.updateID)]
                    ),
                    in: connection)
            }
            return inserted
        }
    }

    /// Rows still to process (`received`, or `processing` left by a dead process), oldest first.
    public func unfinished() throws(EventsError) -> [InboxRow] {
        try store.database.query(
            """
            SELECT id, update_id, chat_id, user_id, raw, status, attempts FROM inbox
            WHERE bot_id = ? AND status IN ('received', 'processing') ORDER BY id
            """,
            [.integer(botID)]
        ).map(Self.row)
    }

    /// Marks the row `processing` and counts one more attempt; returns the attempts made including this one.
    public func beginAttempt(_ id: Int64) throws(EventsError) -> Int {
        let rows = try store.database.write { connection throws(EventsError) in
            try connection.query(
                "UPDATE inbox SET status = 'processing', attempts = attempts + 1, updated_at = ? WHERE id = ? RETURNING attempts",
                [.integer(Self.now()), .integer(id)])
        }
        return Int(rows.first?[0].int64 ?? 0)
    }

    /// Closes the row with `done`, `failed` or `rejected`, inside the caller's transaction.
    public func finish(_ id: Int64, status: String, error: String? = nil, in connection: Connection) throws(EventsError) {
        try connection.execute(
            "UPDATE inbox SET status = ?, error = ?, updated_at = ? WHERE id = ?",
            [.text(status), SQLValue(error), .integer(Self.now()), .integer(id)])
    }

    /// Closes the row in its own transaction.
    public func finish(_ id: Int64, status: String, error: String? = nil) throws(EventsError) {
        try store.database.write { connection throws(EventsError) in try finish(id, status: status, error: error, in: connection) }
    }

    static func row(_ row: Row) -> InboxRow {
        InboxRow(
            id: row[0].int64 ?? 0, updateID: row[1].int64 ?? 0, chatID: row[2].int64, userID: row[3].int64,
            raw: row[4].string ?? "{}", status: row[5].string ?? "", attempts: Int(row[6].int64 ?? 0))
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
