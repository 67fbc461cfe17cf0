import Events
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// A request to roll back (`agent-build rollback [REV]`, `/rollback`): one `update.rollback.requested` event that
/// the supervisor acts on, closing it with `update.rollback.completed` once the restored revision serves.
public enum RollbackRequest {
    /// Records the request and returns its event id.
    ///
    /// - Parameters:
    ///   - rev: the revision to restore (a full SHA-256 with an artifact folder); `nil` for the revision promoted
    ///     before the current good one.
    ///   - requestedBy: a Telegram user id, or `cli`.
    /// - Throws: `.notFound` when `rev` has no artifact under `home`, `.database`.
    @discardableResult
    public static func write(rev: String?, requestedBy: String, store: EventStore, home: String) throws(RevisionsError) -> Int64 {
        if let rev, ArtifactStore(home: home).worker(of: rev) == nil {
            throw RevisionsError(.notFound, "there is no artifact folder for \(rev) in \(ArtifactStore(home: home).artifactsDirectory)")
        }
        let history: RevisionHistory
        do {
            history = try RevisionHistory(database: store.database)
        } catch {
            throw RevisionsError(error)
        }
        if rev == nil, history.previousGood == nil {
            throw RevisionsError(.notFound, "no earlier good revision to roll back to")
        }
        do {
            return try store.append(
                EventKind.updateRollbackRequested,
                payload: [
                    "to_rev": JSONValue(rev ?? history.previousGood), "requested_by": .string(requestedBy),
                    "from_rev": JSONValue(history.currentGood),
                ])
        } catch {
            throw RevisionsError(error)
        }
    }

    /// The oldest request the supervisor has not completed, skipping `handled` (the one in progress).
    public static func pending(in database: Database, after handled: Int64 = 0) throws(EventsError) -> (id: Int64, rev: String?)? {
        let rows = try database.query(
            """
            SELECT r.id, json_extract(r.payload, '$.to_rev') FROM events r
            WHERE r.kind = ? AND r.id > ? AND NOT EXISTS (
                SELECT 1 FROM events c WHERE c.parent_id = r.id AND c.kind = ?)
            ORDER BY r.id LIMIT 1
            """,
            [.text(EventKind.updateRollbackRequested), .integer(handled), .text(EventKind.updateRollbackCompleted)])
        guard let row = rows.first, let id = row[0].int64 else { return nil }
        return (id, row[1].string)
    }
}
