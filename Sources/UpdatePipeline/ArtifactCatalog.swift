import Events
import Foundation
import Revisions
import Settings

/// The artifacts as an operator sees them: list, show, approve, reject, request a rollback, collect garbage.
public struct ArtifactCatalog: Sendable {
    public let store: EventStore
    public let home: String

    public init(store: EventStore, home: String) {
        self.store = store
        self.home = home
    }

    var table: ArtifactTable { ArtifactTable(database: store.database) }
    var files: ArtifactStore { ArtifactStore(home: home) }

    /// The newest artifacts first.
    public func list(limit: Int = 50) throws(PipelineError) -> [ArtifactRecord] {
        do {
            return try table.list(limit: limit)
        } catch {
            throw PipelineError(error)
        }
    }

    /// The artifact `reference` names: an id, a rev, or an unambiguous prefix of a rev.
    public func find(_ reference: String) throws(PipelineError) -> ArtifactRecord {
        let found: ArtifactRecord?
        do {
            found = try table.find(reference)
        } catch {
            throw PipelineError(error)
        }
        guard let found else { throw PipelineError(.notFound, "no artifact \(reference) (give an id or a rev; see agent-build list)") }
        return found
    }

    /// Approves or rejects the artifact `reference` on behalf of `decidedBy`.
    @discardableResult
    public func decide(_ decision: UpdateDecision, _ reference: String, decidedBy: String) throws(PipelineError) -> ArtifactRecord {
        let artifact = try find(reference)
        do {
            return try decision.apply(to: artifact.id, decidedBy: decidedBy, store: store)
        } catch {
            throw PipelineError(error)
        }
    }

    /// Requests a rollback to `reference` (an id or a rev), or to the revision before the current good one.
    @discardableResult
    public func requestRollback(to reference: String?, requestedBy: String) throws(PipelineError) -> Int64 {
        var rev: String?
        if let reference {
            if let found = try? table.find(reference), let foundRev = found.rev {
                rev = foundRev
            } else if files.worker(of: reference) != nil {
                rev = reference
            } else {
                throw PipelineError(.notFound, "no artifact \(reference) to roll back to (give an id or a rev; see agent-build list)")
            }
        }
        do {
            return try RollbackRequest.write(rev: rev, requestedBy: requestedBy, store: store, home: home)
        } catch {
            throw PipelineError(error)
        }
    }

    /// Removes the artifact folders beyond the newest `keep`, never the current, the previous or the good one, nor
    /// one waiting for a decision or a deploy. Returns the revs removed.
    public func collectGarbage(keep: Int) throws(PipelineError) -> [String] {
        let manager = FileManager.default
        let names = ((try? manager.contentsOfDirectory(atPath: files.artifactsDirectory)) ?? []).filter { !$0.hasPrefix(".") }
        var protected = Set([files.currentRev, files.previousRev].compactMap { $0 })
        do {
            if let good = try DerivedState(database: store.database).currentGoodRev() { protected.insert(good) }
            for record in try table.list(limit: 10_000) where [.staged, .approved, .deploying].contains(record.status) {
                if let rev = record.rev { protected.insert(rev) }
            }
        } catch {
            throw PipelineError(error)
        }
        let byAge = names.sorted { modified("\(files.artifactsDirectory)/\($0)") > modified("\(files.artifactsDirectory)/\($1)") }
        var removed: [String] = []
        for name in byAge.dropFirst(keep) where !protected.contains(name) {
            do {
                try manager.removeItem(atPath: files.directory(of: name))
                removed.append(name)
            } catch {
                throw PipelineError(.failed, "cannot remove \(files.directory(of: name)): \(error.localizedDescription)")
            }
        }
        let staging = "\(home)/staging"
        for name in (try? manager.contentsOfDirectory(atPath: staging)) ?? [] {
            if let id = Int64(name), let record = try? table.find(id: id), record.status != .building {
                try? manager.removeItem(atPath: "\(staging)/\(name)")
            }
        }
        return removed
    }

    private func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }
}
