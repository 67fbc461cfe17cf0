import Events
import Foundation
import Revisions
import Settings

/// The clean copy of the source a stage builds: the source commit checked out from the workspace's history, the
/// patch applied on it, and the resolved dependencies of the running build seeded into it so that nothing is
/// fetched.
struct SourceTree: Sendable {
    let git: Git
    /// The copy (host path).
    let path: String

    /// Checks `commit` out of `repository` into `path` and applies `patch` (when not empty). The copy owns its
    /// objects (`--dissociate`): inside the fence the workspace, and `/tmp` with it, may be hidden, and the copy's
    /// own tests clone it again (`make demo`'s worker does).
    ///
    /// - Throws: `.stepFailed` when the patch does not apply (reported as a build failure), `.failed` otherwise.
    func prepare(from repository: String, commit: String, patch: String?) async throws(PipelineError) -> String {
        try await git.run(["clone", "--quiet", "--dissociate", "--no-checkout", repository, path], in: "/")
        try await git.run(["checkout", "--quiet", "--detach", commit], in: path)
        guard let patch, (try? FileManager.default.attributesOfItem(atPath: patch)[.size] as? Int) ?? 0 > 0 else {
            return "no changes"
        }
        let stat = try await git.run(["apply", "--stat", patch], in: path)
        do {
            try await git.run(["apply", "--binary", "--whitespace=nowarn", patch], in: path)
        } catch {
            throw PipelineError(.stepFailed, "the patch does not apply on \(commit.prefix(12)): \(error.message)")
        }
        return stat.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Copies a source folder as it is (without its build folders).
    func copy(from folder: String) async throws(PipelineError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            for name in try manager.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".build") && name != ".venv" {
                try manager.copyItem(atPath: "\(folder)/\(name)", toPath: "\(path)/\(name)")
            }
        } catch {
            throw PipelineError(.failed, "cannot copy the source \(folder): \(error.localizedDescription)")
        }
    }

    /// Seeds `Package.resolved` and the fetched repositories of `donor` (a built package folder), so the build
    /// resolves the same versions without the network. Returns the pinned versions (identity -> version or
    /// revision), from the copy's `Package.resolved`.
    func seedDependencies(from donor: String?) -> JSONObject {
        let manager = FileManager.default
        if let donor {
            if manager.fileExists(atPath: "\(donor)/Package.resolved") {
                try? manager.removeItem(atPath: "\(path)/Package.resolved")
                try? manager.copyItem(atPath: "\(donor)/Package.resolved", toPath: "\(path)/Package.resolved")
            }
            try? manager.createDirectory(atPath: "\(path)/.build", withIntermediateDirectories: true)
            for folder in ["repositories", "checkouts"] where manager.fileExists(atPath: "\(donor)/.build/\(folder)") {
                try? manager.copyItem(atPath: "\(donor)/.build/\(folder)", toPath: "\(path)/.build/\(folder)")
            }
        }
        return Self.pins(ofResolvedFile: "\(path)/Package.resolved")
    }

    /// The pins of a `Package.resolved`: identity -> version (or revision, or branch).
    static func pins(ofResolvedFile file: String) -> JSONObject {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8), let root = try? JSONValue(parsing: text) else { return [:] }
        var pins: JSONObject = [:]
        for pin in root["pins"]?.arrayValue ?? root["object"]?["pins"]?.arrayValue ?? [] {
            guard let identity = pin["identity"]?.stringValue ?? pin["package"]?.stringValue else { continue }
            let state: JSONValue = pin["state"] ?? .null
            let version: JSONValue? = state["version"] ?? state["revision"] ?? state["branch"]
            pins[identity] = version ?? .null
        }
        return pins
    }
}
