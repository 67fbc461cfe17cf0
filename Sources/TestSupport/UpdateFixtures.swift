import Foundation
import ProcessControl

/// Fixture workers and `agent-build` runs for the self-update tests: workers as shell scripts that pass their
/// `--self-check` and then speak `READY` and `WATCHDOG`, crash at start, or never get ready.
public enum UpdateFixtures {
    /// How a fixture worker behaves once started (its `--self-check` always passes unless `failsSelfCheck`).
    public enum Behaviour: Sendable {
        /// `READY=1`, then `WATCHDOG=1` every 200 ms until its stdin ends.
        case ready
        /// Exits 3 at once.
        case crashesAtStart
        /// Never writes a line.
        case neverReady
        /// Its `--self-check` fails with a reason.
        case failsSelfCheck
    }

    /// Writes an executable fixture worker; `tag` makes its SHA-256 (its rev) unique.
    public static func worker(_ behaviour: Behaviour, in folder: TemporaryDirectory, tag: String) throws -> String {
        let body: String =
            switch behaviour {
            case .ready:
                """
                echo READY=1
                ( while :; do echo WATCHDOG=1; sleep 0.2; done ) &
                beats=$!
                while read -r _; do :; done
                kill $beats
                """
            case .crashesAtStart: "echo 'crashing on purpose' >&2\nexit 3"
            case .neverReady: "exec sleep 1000"
            case .failsSelfCheck: "exit 0"
            }
        let check =
            if case .failsSelfCheck = behaviour {
                "echo 'self-check failed: tools: the registry would not load'; exit 1"
            } else {
                "echo 'self-check passed (fixture)'; exit 0"
            }
        let path = folder.file("worker-\(tag)")
        let script = "#!/bin/sh\n# fixture \(tag)\nif [ \"$1\" = \"--self-check\" ]; then \(check); fi\n\(body)\n"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// Runs `agent-build arguments` in `environment` and returns what it printed.
    public static func agentBuild(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(120)) async throws
        -> ProcessResult
    {
        try await ProcessRunner.run(
            ProcessSpec(executable: Executables.path("agent-build"), arguments: arguments, environment: environment), timeout: timeout)
    }

    /// The rev `agent-build stage` printed last.
    public static func rev(of result: ProcessResult) -> String? {
        result.standardOutput.split(separator: "\n").last.map(String.init).flatMap { $0.count == 64 ? $0 : nil }
    }
}
