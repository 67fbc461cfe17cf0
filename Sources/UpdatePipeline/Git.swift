import Foundation
import ProcessControl
import Settings

/// `git` run by the pipeline on the host (never on what the agent wrote as code: only on its files as data):
/// a fixed environment, no pager, no prompts, the user's and system configuration ignored except the system's
/// URL rewrites, which the build's dependencies may need.
struct Git: Sendable {
    let searchPath: String

    /// Runs `git arguments` in `directory`; its standard output on success.
    ///
    /// - Throws: `.failed` with git's message when it fails.
    @discardableResult
    func run(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) async throws(PipelineError) -> String {
        var environment = [
            "PATH": searchPath, "LANG": "C.UTF-8", "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent",
            "GIT_AUTHOR_NAME": "agent-build", "GIT_AUTHOR_EMAIL": "agent-build@localhost", "GIT_COMMITTER_NAME": "agent-build",
            "GIT_COMMITTER_EMAIL": "agent-build@localhost",
        ]
        environment.merge(extra) { _, new in new }
        let result: ProcessResult
        do {
            result = try await ProcessRunner.run(
                ProcessSpec(
                    executable: "git", arguments: ["-c", "core.hooksPath=/dev/null"] + arguments, environment: environment,
                    workingDirectory: directory),
                timeout: .seconds(300), outputLimit: 64 << 20)
        } catch {
            throw PipelineError(.failed, "cannot run git: \(error.message)")
        }
        guard result.status.isSuccess, !result.timedOut else {
            let message = result.standardError.split(separator: "\n").last.map(String.init) ?? "\(result.status)"
            throw PipelineError(.failed, "git \(arguments.first ?? "") failed: \(message)")
        }
        return result.standardOutput
    }
}
