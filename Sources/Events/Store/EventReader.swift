/// Queries over the `events` table: by id, by root (a whole subtree), by kind and by chat.
///
/// Works on a read-only `Database` as well as on a writer's.
public struct EventReader: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The event with this id, or `nil`.
    public func event(id: Int64) throws(EventsError) -> Event? {
        try database.query("SELECT \(Event.selectColumns) FROM events WHERE id = ?", [.integer(id)]).first.map(Event.init(row:))
    }

    /// The newest `limit` events matching `filter`, oldest first, and the newest id in the table when they were
    /// read (the cursor from which to follow without a gap).
    public func newest(matching filter: EventFilter, limit: Int?) throws(EventsError) -> (events: [Event], cursor: Int64) {
        try database.read { connection throws(EventsError) in
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            let (clause, bindings) = filter.sql
            let limitClause = limit.map { " LIMIT \($0)" } ?? ""
            let rows = try connection.query(
                "SELECT \(Event.selectColumns) FROM events WHERE \(clause) ORDER BY id DESC\(limitClause)", bindings)
            let cursor = try connection.scalar("SELECT COALESCE(MAX(id), 0) FROM events").int64 ?? 0
            return (rows.reversed().map(Event.init(row:)), cursor)
        }
    }

    /// Events after `cursor` matching `filter`, oldest first, and the new cursor (the newest id read, matching
    /// or not). Ids are assigned inside SQLite's single write lock, so following by id has no gap.
    public func events(after cursor: Int64, matching filter: EventFilter, limit: Int = 10_000) throws(EventsError) -> (events: [Event], cursor: Int64) {
        try database.read { connection throws(EventsError) in
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            let newest = try connection.scalar(
                "SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?)",
                [.integer(cursor), .integer(Int64(limit))]
            ).int64 ?? 0
            guard newest > cursor else { return ([], cursor) }
            let (clause, bindings) = filter.sql
            let rows = try connection.query(
                "SELECT \(Event.selectColumns) FROM events WHERE id > ? AND id <= ? AND \(clause) ORDER BY id",
                [.integer(cursor), .integer(newest)] + bindings)
            return (rows.map(Event.init(row:)), newest)
        }
    }

    /// A number that changes whenever another connection commits to the file (`PRAGMA data_version`).
    public func dataVersion() throws(EventsError) -> Int64 {
        try database.query("PRAGMA data_version").first?[0].int64 ?? 0
    }

    /// The newest event of a kind (optionally from one source), or `nil`.
    public func latest(kind: String, source: EventSource? = nil) throws(EventsError) -> Event? {
        if let source {
            return try database.query(
                "SELECT \(Event.selectColumns) FROM events WHERE kind = ? AND source = ? ORDER BY id DESC LIMIT 1",
                [.text(kind), .text(source.rawValue)]
            ).first.map(Event.init(row:))
        }
        return try database.query(
            "SELECT \(Event.selectColumns) FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1", [.text(kind)]
        ).first.map(Event.init(row:))
    }

    /// The event `rootID` and all its descendants through `parent_id`, by id.
    public func subtree(rootID: Int64) throws(EventsError) -> [Event] {
        try database.query(
            """
            WITH RECURSIVE tree(id) AS (
                SELECT id FROM events WHERE id = ?
                UNION ALL
                SELECT events.id FROM events JOIN tree ON events.parent_id = tree.id
            )
            SELECT \(Event.selectColumns) FROM events WHERE id IN tree ORDER BY id
            """,
            [.integer(rootID)]
        ).map(Event.init(row:))
    }

    /// The direct children of an event, by id.
    public func children(of parentID: Int64) throws(EventsError) -> [Event] {
        try database.query(
            "SELECT \(Event.selectColumns) FROM events WHERE parent_id = ? ORDER BY id", [.integer(parentID)]
        ).map(Event.init(row:))
    }
}
