import Events

/// The `metadata.json` of an artifact (SPEC section 6), also kept in its row.
struct ArtifactMetadata: Sendable {
    var rev: String
    var sourceCommit: String?
    var patchSHA256: String?
    /// Identity -> version (or revision) of every resolved dependency.
    var dependencies: JSONObject
    /// Unix milliseconds.
    var builtAt: Int64
    var toolchain: String?
    /// Seconds the build took; `nil` for a binary staged as it is.
    var buildSeconds: Double?
    /// `nil` when the tests did not run (a binary staged as it is).
    var tests: TestReport?
    /// The self-check's last line.
    var selfCheck: String
    var mode: String
    var diffstat: String?
    var transactionEventID: Int64

    var json: JSONObject {
        [
            "rev": .string(rev), "source_commit": JSONValue(sourceCommit), "patch_sha256": JSONValue(patchSHA256),
            "dependencies": .object(dependencies), "built_at": .int(builtAt), "toolchain": JSONValue(toolchain),
            "build_s": buildSeconds.map { .double(($0 * 10).rounded() / 10) } ?? .null,
            "tests": tests?.json ?? ["passed": 0, "failed": 0, "skipped": 0, "ran": false],
            "self_check": .string(selfCheck), "mode": .string(mode), "diffstat": JSONValue(diffstat),
            "txn_event_id": .int(transactionEventID),
        ]
    }
}
