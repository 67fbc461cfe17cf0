import Events
import Foundation
import ProcessControl
import TestSupport

/// Runs the real `agent-worker tool ...` as a child process, with a fixture's workspace and home.
enum WorkerProcess {
    /// The environment of the fixture's worker, plus `extra`.
    static func environment(_ fixture: ToolFixture, _ extra: [String: String] = [:]) -> [String: String] {
        TestEnvironment.make(["AGENT_WORKSPACE": fixture.workspace, "AGENT_HOME": fixture.home].merging(extra) { _, new in new })
    }

    /// Runs `agent-worker` with `arguments` to its end.
    static func run(_ fixture: ToolFixture, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> ProcessResult
    {
        try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-worker"), arguments: arguments, environment: environment(fixture, extra),
                workingDirectory: fixture.directory.path),
            timeout: .seconds(60))
    }

    /// Starts `agent-worker tool NAME -` reading its arguments from `input` (a file), in a session of its own.
    static func start(_ fixture: ToolFixture, tool: String, argumentsFile input: String) throws -> ChildProcess {
        try ChildProcess.spawn(
            ProcessSpec(
                executable: "/bin/sh", arguments: ["-c", "exec \"$0\" tool \(tool) - < \"$1\"", Executables.path("agent-worker"), input],
                environment: environment(fixture), workingDirectory: fixture.directory.path, standardOutput: .null,
                standardError: .null, newSession: true))
    }
}
