/// The three values SPEC section 2 defines from the tables, always computed, never cached.
public struct DerivedState: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The `update_id` of the bot's newest stored update (the last inserted, not the largest id) + 1, 0 when it
    /// has no update yet: the offset of the next `getUpdates`. After a week without updates Telegram may restart ids
    /// at a random, lower value; a `max()` would then confirm, and so drop, the new ones unseen.
    public func telegramOffset(botID: Int64) throws(EventsError) -> Int64 {
        try database.query(
            "SELECT update_id + 1 FROM inbox WHERE bot_id = ? ORDER BY id DESC LIMIT 1", [.integer(botID)]
        ).first?[0].int64 ?? 0
    }

    /// The `rev` of the newest `revision.promoted` event, `nil` before any promotion.
    public func currentGoodRev() throws(EventsError) -> String? {
        try database.query(
            "SELECT json_extract(payload, '$.rev') FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1",
            [.text(EventKind.revisionPromoted)]
        ).first?[0].string
    }

    /// The number of `worker.spawned` events.
    public func workerInstanceSeq() throws(EventsError) -> Int64 {
        try database.query(
            "SELECT COUNT(*) FROM events WHERE kind = ?", [.text(EventKind.workerSpawned)]
        ).first?[0].int64 ?? 0
    }
}
