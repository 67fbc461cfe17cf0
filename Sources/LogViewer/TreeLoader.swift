import Events

/// Reads one event and everything below it, with the token counts the tree sums.
public struct TreeLoader: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The entries of the subtree rooted at `rootID`, by id; empty when there is no such event.
    public func entries(rootID: Int64) throws(EventsError) -> [EventTree.Entry] {
        let base = 12
        return try database.query(
            """
            WITH RECURSIVE tree(id) AS (
                SELECT id FROM events WHERE id = ?
                UNION ALL
                SELECT events.id FROM events JOIN tree ON events.parent_id = tree.id
            )
            SELECT *,
                CASE WHEN kind = 'model.completed' THEN json_extract(payload, '$.input_tokens') END,
                CASE WHEN kind = 'model.completed' THEN json_extract(payload, '$.output_tokens') END
            FROM (SELECT \(Event.selectColumns) AS payload FROM events WHERE id IN tree ORDER BY id)
            """,
            [.integer(rootID)]
        ).map { row in
            EventTree.Entry(event: Event(row: row), inputTokens: row[base].int64, outputTokens: row[base + 1].int64)
        }
    }
}
