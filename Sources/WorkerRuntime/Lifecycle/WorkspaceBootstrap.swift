import Foundation
import ProcessControl
import Settings

/// Makes `AGENT_WORKSPACE` at first start: a git clone of the project's own source (SPEC section 10), so that the
/// agent's tools work on a checkout of committed files only (no `.env`, no database, no build folders).
public enum WorkspaceBootstrap {
    /// What happened at start.
    public enum Outcome: Equatable, Sendable {
        case existing
        case cloned(from: String)
    }

    /// Clones `source` (`AGENT_SOURCE`, else the git checkout around the current directory) into the workspace
    /// when the workspace does not exist yet.
    ///
    /// - Throws: `ConfigurationError` naming `AGENT_WORKSPACE` or `AGENT_SOURCE` when there is nothing to clone or
    ///   the clone fails.
    public static func prepare(paths: AgentPaths, environment: EnvironmentReader) async throws -> Outcome {
        guard !FileManager.default.fileExists(atPath: paths.workspace) else { return .existing }
        let source = try await sourceRepository(environment: environment)
        let parent = (paths.workspace as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: "git", arguments: ["clone", "--quiet", "--no-hardlinks", source, paths.workspace],
                environment: ["PATH": environment.string("PATH", default: "/usr/local/bin:/usr/bin:/bin"), "HOME": "/nonexistent"]),
            timeout: .seconds(300))
        guard result.status.isSuccess else {
            throw ConfigurationError(
                variable: "AGENT_WORKSPACE",
                problem:
                    "cannot clone \(source) into \(paths.workspace): \(result.standardError.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return .cloned(from: source)
    }

    static func sourceRepository(environment: EnvironmentReader) async throws -> String {
        if let source = environment.optional("AGENT_SOURCE") { return AgentPaths.absolute(source) }
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: "git", arguments: ["rev-parse", "--show-toplevel"],
                environment: ["PATH": environment.string("PATH", default: "/usr/local/bin:/usr/bin:/bin")],
                workingDirectory: FileManager.default.currentDirectoryPath),
            timeout: .seconds(30))
        let top = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status.isSuccess, !top.isEmpty else {
            throw ConfigurationError(
                variable: "AGENT_SOURCE",
                problem:
                    "AGENT_WORKSPACE does not exist and there is no source to clone it from: set AGENT_SOURCE to a git repository of the project"
            )
        }
        return top
    }
}
