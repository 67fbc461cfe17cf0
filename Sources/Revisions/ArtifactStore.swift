import Foundation

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
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target, NSLocalizedDescriptionKey: reason])
        }
        return rev
    }

    /// Points `current` at `artifacts/<rev>` with one atomic rename of a fresh symlink over the old one.
    public func switchCurrent(to rev: String) throws {
        let temporary = "\(home)/.current-\(getpid())"
        unlink(temporary)
        guard symlink("artifacts/\(rev)", temporary) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, currentLink) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: currentLink])
        }
    }
}
