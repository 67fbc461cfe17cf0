import Events

/// One row of `artifacts`: a staged build and where it stands.
public struct ArtifactRecord: Sendable, Equatable {
    /// What the buttons carry (`approve:<id>`).
    public let id: Int64
    /// The SHA-256 of the worker binary; `nil` while building or when the build failed.
    public let rev: String?
    public let status: ArtifactStatus
    public let sourceCommit: String?
    public let patchSHA256: String?
    /// The artifact folder (`AGENT_HOME/artifacts/<rev>`), or the folder of the failed step's logs.
    public let path: String?
    /// The `metadata.json` of the artifact, plus `txn_event_id` (the `update.txn.created` of its stage).
    public let metadata: JSONObject
    /// Why it ended where it is (a failed step, a rejection, a rollback), in one line.
    public let reason: String?
    public let createdAt: Int64
    public let updatedAt: Int64

    /// The `update.txn.created` event of the stage: the parent of every `update.*` event of this artifact.
    public var transactionEventID: Int64? { metadata["txn_event_id"]?.int64Value }

    static let columns = "id, rev, status, source_commit, patch_sha256, path, metadata, reason, created_at, updated_at"

    init?(row: Row) {
        guard let id = row[0].int64, let status = row[2].string.flatMap(ArtifactStatus.init(rawValue:)) else { return nil }
        self.id = id
        rev = row[1].string
        self.status = status
        sourceCommit = row[3].string
        patchSHA256 = row[4].string
        path = row[5].string
        metadata = row[6].string.flatMap { try? JSONValue(parsing: $0) }?.objectValue ?? [:]
        reason = row[7].string
        createdAt = row[8].int64 ?? 0
        updatedAt = row[9].int64 ?? 0
    }

    /// The row as `agent-build list --json` and `show --json` print it.
    public var json: JSONValue {
        [
            "id": .int(id), "rev": JSONValue(rev), "status": .string(status.rawValue), "source_commit": JSONValue(sourceCommit),
            "patch_sha256": JSONValue(patchSHA256), "path": JSONValue(path), "metadata": .object(metadata),
            "reason": JSONValue(reason), "created_at": .int(createdAt), "updated_at": .int(updatedAt),
        ]
    }
}
