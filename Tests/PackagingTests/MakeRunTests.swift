import Foundation
import ProcessControl
import TestSupport
import Testing

/// `make run` as a newcomer meets it: the required settings are checked before anything is built.
@Suite("make run: the settings check before the build", .timeLimit(.minutes(1)))
struct MakeRunTests {
    /// Runs `make run` (or `scripts/run.sh ARGUMENTS`) at the root with `environment` and nothing else.
    func run(_ arguments: [String], make: Bool = true, environment: [String: String]) async throws -> ProcessResult {
        try await ProcessRunner.run(
            ProcessSpec(
                executable: make ? "make" : "scripts/run.sh", arguments: arguments,
                environment: TestEnvironment.make(environment), workingDirectory: Repository.root),
            timeout: .seconds(30))
    }

    @Test("without .env and without the variables, make run stops at once with one line naming them and make demo")
    func missingSettingsAreOneLine() async throws {
        let folder = TemporaryDirectory()
        let started = ContinuousClock.now
        let result = try await run(["run", "ENV_FILE=\(folder.file("absent.env"))"], environment: [:])
        #expect(result.status.exitCode == 2)
        #expect(result.standardOutput.isEmpty)
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "\(result.standardError)")
        let line = String(lines.first ?? "")
        for variable in ["TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "TELEGRAM_ALLOWED_USER_IDS"] {
            #expect(line.contains(variable))
        }
        #expect(line.contains("make demo"))
        #expect(line.contains(".env.example"))
        #expect(line.contains("absent.env does not exist"), "a mistyped ENV_FILE is named")
        // Nothing was built: a release build takes minutes, the check well under a second.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("values come from .env, the environment wins, and no value is ever printed")
    func envFileIsReadNeverEchoed() async throws {
        let folder = TemporaryDirectory()
        let file = folder.file("agent.env")
        let token = "123456:AAsecretTOKENvalue"
        try """
        # a comment
        TELEGRAM_BOT_TOKEN="\(token)"
        export OPENAI_API_KEY=sk-fromTheFileNotShown   # trailing comment
        TELEGRAM_ALLOWED_USER_IDS=''

        """.write(toFile: file, atomically: true, encoding: .utf8)
        let partial = try await run(["run", "ENV_FILE=\(file)"], environment: [:])
        #expect(partial.status.exitCode == 2)
        #expect(partial.standardError.contains("TELEGRAM_ALLOWED_USER_IDS not set"))
        #expect(!partial.standardError.contains("TELEGRAM_BOT_TOKEN"))
        #expect(!partial.standardError.contains("OPENAI_API_KEY"))

        let complete = try await run(["--check"], make: false, environment: ["ENV_FILE": file, "TELEGRAM_ALLOWED_USER_IDS": "42"])
        #expect(complete.status.exitCode == 0, "\(complete.standardError)")
        #expect(complete.standardOutput.contains("the required settings are there"))
        for output in [partial.standardOutput, partial.standardError, complete.standardOutput, complete.standardError] {
            #expect(!output.contains(token) && !output.contains("sk-fromTheFile"))
        }
    }

    @Test("a malformed line of .env is named by its number, without its text")
    func malformedLineIsNotShown() async throws {
        let folder = TemporaryDirectory()
        let file = folder.file("agent.env")
        try "TELEGRAM_BOT_TOKEN=1:a\nsk-pastedKeyWithoutAName\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await run(["--check"], make: false, environment: ["ENV_FILE": file])
        #expect(result.status.exitCode == 2)
        #expect(result.standardError == "make run: \(file) line 2 is not NAME=value\n")
    }
}
