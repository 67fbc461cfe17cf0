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
            let (clause, bindings) = filter.sql(timeBoundID: try timeBound(of: filter, in: connection))
            let limitClause = limit.map { " LIMIT \($0)" } ?? ""
            let rows = try connection.query(
                "SELECT \(Event.selectColumns) FROM events WHERE \(clause) ORDER BY id DESC\(limitClause)", bindings)
            let cursor = try connection.scalar("SELECT COALESCE(MAX(id), 0) FROM events").int64 ?? 0
            return (rows.reversed().map(Event.init(row:)), cursor)
        }
    }

    /// Events after `cursor` matching `filter`, oldest first, and the new cursor (the newest id read, matching
    /// or not). Ids are assigned inside SQLite's single write lock, so following by id has no gap.
    public func events(after cursor: Int64, matching filter: EventFilter, limit: Int = 10_000) throws(EventsError) -> (
        events: [Event], cursor: Int64
    ) {
        try database.read { connection throws(EventsError) in
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            let newest =
                try connection.scalar(
                    "SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM events WHERE id > ? ORDER BY id LIMIT ?)",
                    [.integer(cursor), .integer(Int64(limit))]
                ).int64 ?? 0
            guard newest > cursor else { return ([], cursor) }
            let (clause, bindings) = filter.sql(timeBoundID: try timeBound(of: filter, in: connection))
            let rows = try connection.query(
                "SELECT \(Event.selectColumns) FROM events WHERE id > ? AND id <= ? AND \(clause) ORDER BY id",
                [.integer(cursor), .integer(newest)] + bindings)
            return (rows.map(Event.init(row:)), newest)
        }
    }

    /// The first id written at or after the filter's `minimumTimestamp`, when it has one.
    private func timeBound(of filter: EventFilter, in connection: Connection) throws(EventsError) -> Int64? {
        guard let timestamp = filter.minimumTimestamp else { return nil }
        return try Self.firstID(notBefore: timestamp, in: connection) ?? Int64.max
    }

    /// The smallest id whose `ts` is at least `timestamp` (`nil` when none), by bisection over the primary key:
    /// about 20 lookups in a million rows, where an index on `ts` would cost every append a page write.
    ///
    /// `ts` grows with `id` except across concurrent writers, whose stamps may disagree with their commit order by
    /// the few milliseconds between taking the time and taking the write lock: near the bound such an event may
    /// fall on the other side of it.
    static func firstID(notBefore timestamp: Int64, in connection: Connection) throws(EventsError) -> Int64? {
        // f(x) = the ts of the first row with id >= x grows with x: find the smallest x with f(x) >= timestamp.
        let firstAtOrAfter = "SELECT id, ts FROM events WHERE id >= ? ORDER BY id LIMIT 1"
        guard let newest = try connection.query("SELECT id, ts FROM events ORDER BY id DESC LIMIT 1").first,
            let highest = newest[0].int64, (newest[1].int64 ?? 0) >= timestamp
        else { return nil }
        var low = try connection.scalar("SELECT MIN(id) FROM events").int64 ?? highest
        var high = highest
        while low < high {
            let middle = low + (high - low) / 2
            let stamp = try connection.query(firstAtOrAfter, [.integer(middle)]).first?[1].int64 ?? Int64.max
            if stamp >= timestamp { high = middle } else { low = middle + 1 }
        }
        return try connection.query(firstAtOrAfter, [.integer(low)]).first?[0].int64
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
