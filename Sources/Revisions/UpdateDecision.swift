import Events

/// An admin's decision on a staged artifact: approve (the supervisor deploys it next) or reject.
///
/// The check of the status, its change and the `update.approved` / `update.rejected` event are one transaction,
/// so two presses of one button decide once.
public enum UpdateDecision: String, Sendable {
    case approve
    case reject

    /// Decides the artifact `id` on behalf of `decidedBy` (a Telegram user id, or `cli`).
    ///
    /// - Returns: the artifact after the decision.
    /// - Throws: `.notFound`, `.wrongState` (not `staged`: already decided, deployed or failed), `.database`.
    @discardableResult
    public func apply(to id: Int64, decidedBy: String, store: EventStore) throws(RevisionsError) -> ArtifactRecord {
        let table = ArtifactTable(database: store.database)
        do {
            return try store.database.write { connection throws(EventsError) -> Result<ArtifactRecord, RevisionsError> in
                guard let found = try table.find(id: id, in: connection) else {
                    return .failure(RevisionsError(.notFound, "there is no artifact \(id)"))
                }
                guard found.status.isDecidable else {
                    return .failure(
                        RevisionsError(.wrongState, "artifact \(id) is \(found.status.rawValue), not staged: nothing to \(rawValue)"))
                }
                let status: ArtifactStatus = self == .approve ? .approved : .rejected
                try table.update(
                    id, status: status, reason: self == .reject ? "rejected by \(decidedBy)" : nil, in: connection)
                try store.append(
                    NewEvent(
                        self == .approve ? EventKind.updateApproved : EventKind.updateRejected, parent: found.transactionEventID,
                        payload: ["artifact_id": .int(id), "rev": JSONValue(found.rev), "by": .string(decidedBy)]),
                    in: connection)
                return .success(try table.find(id: id, in: connection) ?? found)
            }.get()
        } catch let error as RevisionsError {
            throw error
        } catch let error as EventsError {
            throw RevisionsError(error)
        } catch {
            throw RevisionsError(.database, "\(error)")
        }
    }
}
