import Events

/// Reads one event and everything below it, with the token counts the tree sums.
public struct TreeLoader: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The entries of the subtree rooted at `rootID`, by id; empty when there is no such event.
    ///
    /// A run (an `agent.started` whose `run_id` is its own id) is read through the `run_id` index: every event of a
    /// run carries its `run_id` and descends from its `agent.started`. Any other root is walked by `parent_id`.
    public func entries(rootID: Int64) throws(EventsError) -> [EventTree.Entry] {
        let isRun =
            try database.query(
                "SELECT 1 FROM events WHERE id = ? AND kind = ? AND run_id = id", [.integer(rootID), .text(EventKind.agentStarted)]
            ).isEmpty == false
        let members =
            isRun
            ? "SELECT id FROM events WHERE run_id = ?1"
            : """
            WITH RECURSIVE tree(id) AS (
                SELECT id FROM events WHERE id = ?1
                UNION ALL
                SELECT events.id FROM events JOIN tree ON events.parent_id = tree.id
            )
            SELECT id FROM tree
            """
        let base = 12
        return try database.query(
            """
            SELECT *,
                CASE WHEN kind = 'model.completed' THEN json_extract(payload, '$.input_tokens') END,
                CASE WHEN kind = 'model.completed' THEN json_extract(payload, '$.output_tokens') END
            FROM (SELECT \(Event.selectColumns) AS payload FROM events WHERE id IN (\(members)) ORDER BY id)
            """,
            [.integer(rootID)]
        ).map { row in
            EventTree.Entry(event: Event(row: row), inputTokens: row[base].int64, outputTokens: row[base + 1].int64)
        }
    }
}
