import Events
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// The SQL of the `artifacts` table: one row per staged build (SPEC section 6). The pipeline inserts rows, admins
/// decide them, the supervisor deploys them; every program goes through this type.
public struct ArtifactTable: Sendable {
    public let database: Database
    private let now: @Sendable () -> Int64

    public init(database: Database, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.database = database
        self.now = now
    }

    /// Inserts a row inside the caller's transaction and returns its id.
    public func insert(
        status: ArtifactStatus, rev: String? = nil, sourceCommit: String? = nil, patchSHA256: String? = nil, path: String? = nil,
        metadata: JSONObject = [:], reason: String? = nil, in connection: Connection
    ) throws(EventsError) -> Int64 {
        let time = now()
        try connection.execute(
            """
            INSERT INTO artifacts (rev, status, source_commit, patch_sha256, path, metadata, reason, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                SQLValue(rev), .text(status.rawValue), SQLValue(sourceCommit), SQLValue(patchSHA256), SQLValue(path),
                .text(JSONValue.object(metadata).serialized), SQLValue(reason), .integer(time), .integer(time),
            ])
        return connection.lastInsertRowID
    }

    /// Rewrites a row's outcome inside the caller's transaction; `nil` fields keep their value.
    public func update(
        _ id: Int64, status: ArtifactStatus, rev: String? = nil, patchSHA256: String? = nil, path: String? = nil,
        metadata: JSONObject? = nil, reason: String? = nil, in connection: Connection
    ) throws(EventsError) {
        try connection.execute(
            """
            UPDATE artifacts SET status = ?, rev = COALESCE(?, rev), patch_sha256 = COALESCE(?, patch_sha256), path = COALESCE(?, path),
                metadata = COALESCE(?, metadata), reason = COALESCE(?, reason), updated_at = ?
            WHERE id = ?
            """,
            [
                .text(status.rawValue), SQLValue(rev), SQLValue(patchSHA256), SQLValue(path),
                SQLValue(metadata.map { JSONValue.object($0).serialized }),
                SQLValue(reason), .integer(now()), .integer(id),
            ])
    }

    /// Sets the status of every row of `rev` that is in one of `from` (a rollback marks the rows of its revision).
    public func mark(rev: String, _ status: ArtifactStatus, from: [ArtifactStatus], reason: String?, in connection: Connection)
        throws(EventsError)
    {
        guard !from.isEmpty else { return }
        let placeholders = from.map { _ in "?" }.joined(separator: ", ")
        try connection.execute(
            "UPDATE artifacts SET status = ?, reason = COALESCE(?, reason), updated_at = ? WHERE rev = ? AND status IN (\(placeholders))",
            [.text(status.rawValue), SQLValue(reason), .integer(now()), .text(rev)] + from.map { .text($0.rawValue) })
    }

    /// The row with this id; inside the caller's transaction when `connection` is given (the database's lock is
    /// not reentrant: a query of its own there would wait for itself).
    public func find(id: Int64, in connection: Connection? = nil) throws(EventsError) -> ArtifactRecord? {
        let sql = "SELECT \(ArtifactRecord.columns) FROM artifacts WHERE id = ?"
        let rows: [Row]
        if let connection {
            rows = try connection.query(sql, [.integer(id)])
        } else {
            rows = try database.query(sql, [.integer(id)])
        }
        return rows.first.flatMap(ArtifactRecord.init)
    }

    /// The newest row of `rev`, or of the only rev starting with `rev` (at least 6 hexadecimal digits).
    public func find(rev: String) throws(EventsError) -> ArtifactRecord? {
        guard rev.count >= 6, rev.allSatisfy(\.isHexDigit) else { return nil }
        let rows = try database.query(
            "SELECT \(ArtifactRecord.columns) FROM artifacts WHERE rev LIKE ? ORDER BY id DESC", [.text(rev.lowercased() + "%")])
        let records = rows.compactMap(ArtifactRecord.init)
        guard Set(records.compactMap(\.rev)).count == 1 else { return nil }
        return records.first
    }

    /// A row by id (digits) or rev (a SHA-256 or an unambiguous prefix of one).
    public func find(_ reference: String) throws(EventsError) -> ArtifactRecord? {
        if reference.count < 12, let id = Int64(reference) { return try find(id: id) }
        return try find(rev: reference)
    }

    /// The newest rows first.
    public func list(limit: Int = 50) throws(EventsError) -> [ArtifactRecord] {
        try database.query("SELECT \(ArtifactRecord.columns) FROM artifacts ORDER BY id DESC LIMIT ?", [.integer(Int64(limit))])
            .compactMap(ArtifactRecord.init)
    }

    /// The oldest row in `status`, if any (the supervisor's next deploy: `approved`; one to resume: `deploying`).
    public func oldest(in status: ArtifactStatus) throws(EventsError) -> ArtifactRecord? {
        try database.query(
            "SELECT \(ArtifactRecord.columns) FROM artifacts WHERE status = ? ORDER BY id LIMIT 1", [.text(status.rawValue)]
        ).first.flatMap(ArtifactRecord.init)
    }
}
