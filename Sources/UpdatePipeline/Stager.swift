import Events
import Foundation
import ProcessControl
import Revisions
import Settings

/// One stage (SPEC section 6): the patch on a clean copy of the source commit -> the release build -> the tests
/// -> the new binary's `--self-check` against a copy of the database -> `AGENT_HOME/artifacts/<rev>/` with the
/// binary, `metadata.json` and one log per step -> the row `staged`.
///
/// Every step that runs what the agent wrote runs fenced (`StepRunner`). Each step is a span under the stage's
/// `update.txn.created`, so one update is one tree. A failed step leaves its status (`build_failed`,
/// `test_failed`, `check_failed`), its log in `AGENT_HOME/staging/<id>/` and nothing deployable.
public struct Stager: Sendable {
    public let settings: PipelineSettings
    public let store: EventStore
    /// Told of each step as it ends, for the command's standard error.
    public let progress: @Sendable (String) -> Void

    public init(settings: PipelineSettings, store: EventStore, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.store = store
        self.progress = progress
    }

    var git: Git { Git(searchPath: settings.searchPath) }
    var table: ArtifactTable { ArtifactTable(database: store.database) }
    var artifacts: ArtifactStore { ArtifactStore(home: settings.paths.home) }

    /// Runs a whole stage and returns the staged artifact.
    ///
    /// - Throws: `.stepFailed` (the row records which step and why), `.notFound`, `.noFence`, `.database`.
    public func stage(_ source: StageSource, requestedBy: String, reason: String?) async throws(PipelineError) -> ArtifactRecord {
        if case .binary(let path) = source, !FileManager.default.isExecutableFile(atPath: path) {
            throw PipelineError(.notFound, "\(path) is not an executable file")
        }
        let history: RevisionHistory
        do {
            history = try RevisionHistory(database: store.database)
        } catch {
            throw PipelineError(error)
        }
        let sourceCommit: String? =
            switch source {
            case .workspace, .patch: try await resolveSourceCommit(good: history.currentGood)
            case .source(let folder): try? await git.run(["rev-parse", "HEAD"], in: folder).trimmingCharacters(in: .whitespacesAndNewlines)
            case .binary: nil
            }
        let (transaction, id) = try open(
            source: source, sourceCommit: sourceCommit, fromRev: history.currentGood, requestedBy: requestedBy, reason: reason)
        let staging = "\(settings.paths.home)/staging/\(id)"
        let run = StageRun(stager: self, id: id, transaction: transaction, staging: staging, source: source, sourceCommit: sourceCommit)
        do {
            try FileManager.default.createDirectory(atPath: "\(staging)/artifact", withIntermediateDirectories: true)
        } catch {
            try run.fail(.build, reason: "cannot create \(staging): \(error.localizedDescription)", span: nil)
        }
        return try await run.execute()
    }

    /// The commit the patch applies to: the source commit of `current_good_rev`, else `AGENT_SOURCE_COMMIT`, else
    /// the workspace's `HEAD`.
    func resolveSourceCommit(good: String?) async throws(PipelineError) -> String {
        if let good, let recorded = try? table.find(rev: good)?.sourceCommit { return recorded }
        if let configured = settings.sourceCommit { return configured }
        do {
            return try await git.run(["rev-parse", "HEAD"], in: settings.paths.workspace).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw PipelineError(.notFound, "no source commit: set AGENT_SOURCE_COMMIT, or make \(settings.paths.workspace) a git checkout")
        }
    }

    /// `update.txn.created` and the row `building`, in one transaction.
    private func open(source: StageSource, sourceCommit: String?, fromRev: String?, requestedBy: String, reason: String?)
        throws(PipelineError) -> (transaction: Int64, id: Int64)
    {
        do {
            return try store.database.write { connection throws(EventsError) in
                let transaction = try store.append(
                    NewEvent(
                        EventKind.updateTxnCreated,
                        payload: [
                            "mode": .string(source.mode), "requested_by": .string(requestedBy), "reason": JSONValue(reason),
                            "source_commit": JSONValue(sourceCommit), "from_rev": JSONValue(fromRev),
                        ]),
                    in: connection)
                let id = try table.insert(
                    status: .building, sourceCommit: sourceCommit,
                    metadata: ["txn_event_id": .int(transaction), "mode": .string(source.mode)],
                    in: connection)
                return (transaction, id)
            }
        } catch {
            throw PipelineError(error)
        }
    }
}
