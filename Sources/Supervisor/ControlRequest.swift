import Revisions

/// What the database asks of the supervisor besides running the worker: deploy an approved artifact, or act on a
/// rollback request.
enum ControlRequest: Sendable {
    case deploy(ArtifactRecord)
    /// `update.rollback.requested` `request`, to `rev` (`nil`: the revision promoted before the current good one).
    case rollback(request: Int64, rev: String?)
}
