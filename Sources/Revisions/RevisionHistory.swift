import Events

/// The promoted revisions, newest first, from the `revision.promoted` events (SPEC section 2: the newest one is
/// `current_good_rev`).
public struct RevisionHistory: Sendable {
    /// Every promoted rev, newest first, each once.
    public let promoted: [String]

    public init(database: Database) throws(EventsError) {
        let rows = try database.query(
            "SELECT json_extract(payload, '$.rev') FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1000",
            [.text(EventKind.revisionPromoted)])
        var seen = Set<String>()
        promoted = rows.compactMap { $0[0].string }.filter { seen.insert($0).inserted }
    }

    /// `current_good_rev`.
    public var currentGood: String? { promoted.first }
    /// N-1: the revision promoted before the current good one.
    public var previousGood: String? { promoted.dropFirst().first }
}
