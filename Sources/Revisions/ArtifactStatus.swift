/// Where a staged build stands (SPEC section 6): the `status` column of `artifacts`.
public enum ArtifactStatus: String, Sendable, CaseIterable, Codable {
    /// The stage is running.
    case building
    case buildFailed = "build_failed"
    case testFailed = "test_failed"
    case checkFailed = "check_failed"
    /// Built, tested and checked: waiting for an admin.
    case staged
    /// An admin approved it: the supervisor deploys it next.
    case approved
    case rejected
    /// The supervisor's mark, written before it switches `current`: a restart finishes the deploy.
    case deploying
    /// It passed probation (or was restored by a rollback): a good revision.
    case promoted
    /// It failed probation or was rolled back from.
    case rolledBack = "rolled_back"

    /// Whether the artifact can still be deployed by an approval.
    public var isDecidable: Bool { self == .staged }
}
