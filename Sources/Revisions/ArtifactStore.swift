import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// The deployable builds under `AGENT_HOME`: `artifacts/<rev>/agent-worker`, and the `current` symlink that names
/// the one the supervisor runs.
///
/// Artifacts are written once and never modified in place; `current` is switched by an atomic rename.
public struct ArtifactStore: Sendable {
    /// The name of the worker executable inside an artifact folder.
    public static let workerName = "agent-worker"

    public let home: String

    public init(home: String) {
        self.home = home
    }

    public var artifactsDirectory: String { "\(home)/artifacts" }
    public var currentLink: String { "\(home)/current" }

    /// The folder of one artifact.
    public func directory(of rev: String) -> String { "\(artifactsDirectory)/\(rev)" }

    /// The link to the revision `current` pointed at before the last switch.
    public var previousLink: String { "\(home)/previous" }

    /// The worker executable of `rev`, when its artifact folder holds one.
    public func worker(of rev: String) -> String? {
        let path = "\(directory(of: rev))/\(Self.workerName)"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// The rev `current` points at (the name of its artifact folder), `nil` when nothing is deployed.
    public var currentRev: String? { revision(linkedBy: currentLink) }

    /// The rev `previous` points at.
    public var previousRev: String? { revision(linkedBy: previousLink) }

    private func revision(linkedBy link: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return nil }
        let name = target.split(separator: "/").last.map(String.init) ?? ""
        return name.isEmpty ? nil : name
    }

    /// The worker executable `current` points at, or `nil` when nothing is deployed.
    public var currentWorker: String? {
        let path = "\(currentLink)/\(Self.workerName)"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Copies `binary` into `artifacts/<rev>/agent-worker` (its rev being its SHA-256) unless it is there already,
    /// and returns the rev. The copy is made under a temporary name and renamed into place.
    public func install(binary: String) throws -> String {
        let rev = try FileDigest.sha256(ofFile: binary)
        let target = directory(of: rev)
        if FileManager.default.isExecutableFile(atPath: "\(target)/\(Self.workerName)") { return rev }
        try FileManager.default.createDirectory(atPath: artifactsDirectory, withIntermediateDirectories: true)
        let staging = "\(artifactsDirectory)/.staging-\(rev)-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: binary, toPath: "\(staging)/\(Self.workerName)")
        chmod("\(staging)/\(Self.workerName)", 0o755)
        guard rename(staging, target) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: staging)
            throw RevisionsError(.fileSystem, "cannot move \(staging) to \(target): \(reason)")
        }
        return rev
    }

    /// Points `current` at `artifacts/<rev>` with one atomic rename of a fresh symlink over the old one; the
    /// revision it pointed at before (when another) is kept as `previous`. A no-op when it points there already.
    ///
    /// - Throws: `RevisionsError` `.badArtifact` when `rev` has no worker, `.fileSystem` when a link cannot be made.
    public func switchCurrent(to rev: String) throws(RevisionsError) {
        guard worker(of: rev) != nil else {
            throw RevisionsError(.badArtifact, "\(directory(of: rev)) holds no \(Self.workerName)")
        }
        let before = currentRev
        if before == rev { return }
        if let before { try replaceLink(previousLink, with: "artifacts/\(before)") }
        try replaceLink(currentLink, with: "artifacts/\(rev)")
    }

    /// Makes `link` point at `target` by renaming a fresh symlink over it: readers see the old or the new one.
    private func replaceLink(_ link: String, with target: String) throws(RevisionsError) {
        let name = link.split(separator: "/").last.map(String.init) ?? link
        let temporary = "\(home)/.\(name)-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else {
            throw RevisionsError(.fileSystem, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, link) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw RevisionsError(.fileSystem, "cannot switch \(link): \(reason)")
        }
    }
}
