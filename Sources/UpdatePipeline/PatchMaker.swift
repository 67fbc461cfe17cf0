import Foundation
import Revisions
import Settings

/// The patch of the workspace (SPEC section 6): everything the agent changed, new and binary files included,
/// staged into a temporary index (`git add -A`) and taken as `git diff --binary` against the source commit. The
/// workspace's own index and branches are left alone; ignored files (the scratch folder) are never part of it.
struct PatchMaker: Sendable {
    let git: Git

    /// The patch of `workspace` against `commit`, written to `output`.
    ///
    /// - Throws: `.notFound` when the workspace is no git checkout or lacks the commit, `.failed` otherwise.
    func write(workspace: String, against commit: String, to output: String) async throws(PipelineError) {
        guard FileManager.default.fileExists(atPath: "\(workspace)/.git") else {
            throw PipelineError(.notFound, "the workspace \(workspace) is not a git checkout")
        }
        do {
            try await git.run(["cat-file", "-e", "\(commit)^{commit}"], in: workspace)
        } catch {
            throw PipelineError(.notFound, "the workspace \(workspace) does not have the source commit \(commit)")
        }
        let index = (output as NSString).deletingLastPathComponent + "/patch.index"
        let environment = ["GIT_INDEX_FILE": index]
        try await git.run(["read-tree", commit], in: workspace, environment: environment)
        try await git.run(["add", "-A"], in: workspace, environment: environment)
        let patch = try await git.run(["diff", "--cached", "--binary", "--full-index", commit], in: workspace, environment: environment)
        try? FileManager.default.removeItem(atPath: index)
        do {
            try Data(patch.utf8).write(to: URL(fileURLWithPath: output))
        } catch {
            throw PipelineError(.failed, "cannot write the patch \(output): \(error.localizedDescription)")
        }
    }
}
