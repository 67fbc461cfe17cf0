import Events
import Foundation
import ProcessControl
import Revisions
import TestSupport
import Testing

/// One real self-update of this project: a patch to `agent-worker` (a new `/version` text) staged with the real
/// build, tests and self-check (the default `AGENT_BUILD_COMMAND` and `AGENT_TEST_COMMAND`), approved, deployed by
/// the real supervisor, answered through the Telegram double, then rolled back by `agent-build rollback`.
///
/// Slow (a release build and the suite in a fenced copy): it runs only with `AGENT_SLOW_TESTS=1` (`make test-slow`,
/// which `.ci/run` calls). The stage's own test step never sets that variable, so this test does not run inside
/// itself. The repository's `HEAD` is the source commit: commit before running it locally.
@Suite(
    "Real self-update of this project",
    .enabled(if: ProcessInfo.processInfo.environment["AGENT_SLOW_TESTS"] == "1", "set AGENT_SLOW_TESTS=1 (make test-slow)"),
    .timeLimit(.minutes(60)))
struct RealSelfUpdateTests {
    /// The line of `CommandHandler` that answers `/version`, and what the patch makes of it.
    static let versionLine = #""agent-worker \(Self.escape(BuildInfo.version)), rev <code>"#
    static let patchedVersionLine = #""agent-worker \(Self.escape(BuildInfo.version)) (updated by itself), rev <code>"#
    static let handler = "Sources/WorkerRuntime/Processing/CommandHandler.swift"

    static let settings = [
        "AGENT_PROBATION_S": "2", "AGENT_BACKOFF_BASE_MS": "100", "AGENT_BACKOFF_MAX_S": "1", "AGENT_UPDATE_POLL_MS": "100",
        "AGENT_STOP_GRACE_S": "5", "AGENT_BUILD_TIMEOUT_S": "1800", "AGENT_TEST_TIMEOUT_S": "2400",
    ]

    func git(_ arguments: [String], in folder: String) async throws -> String {
        let result = try await ProcessRunner.run(
            ProcessSpec(executable: "git", arguments: arguments, environment: TestEnvironment.make(), workingDirectory: folder),
            timeout: .seconds(120))
        #expect(result.status == .exited(0), "git \(arguments.joined(separator: " ")): \(result.standardError)")
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends `/version` and returns the reply.
    func version(_ harness: AgentHarness) async throws -> String {
        let before = harness.telegram.sentMessages(chatID: harness.userID).count
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "/version")
        let replies = await harness.telegram.waitForSentMessages(count: before + 1, chatID: harness.userID, timeout: .seconds(30))
        return try #require(replies.count > before ? replies.last?.text : nil, "no answer to /version: \(harness.allLogs())")
    }

    /// The failed tests and failed steps' last lines of a stage's logs (they go with the harness's folder).
    func failures(_ harness: AgentHarness) -> String {
        let staging = "\(harness.home)/staging"
        let stages = (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []
        return stages.flatMap { stage in
            ["build.log", "test.log", "self_check.log"].flatMap { name -> [String] in
                guard let text = try? String(contentsOfFile: "\(staging)/\(stage)/\(name)", encoding: .utf8) else { return [] }
                let lines = text.split(separator: "\n")
                let failed = lines.filter { $0.hasPrefix("✘") || $0.contains("error:") }
                return ["\(name):"] + (failed.isEmpty ? lines.suffix(5) : failed.prefix(40)).map(String.init)
            }
        }.joined(separator: "\n")
    }

    func seconds(_ kind: String, _ harness: AgentHarness) -> Double {
        Double(harness.events(kind).last?.payloadObject?["duration_ms"]?.intValue ?? -1000) / 1000
    }

    @Test("a patch to /version: staged with the real build and tests, approved, deployed, answered; rolled back, answered as before")
    func patchDeployRollback() async throws {
        let harness = try AgentHarness()
        // The workspace is a clone of this repository: its HEAD is the source commit the patch applies to, and the
        // running build's resolved dependencies (AGENT_SOURCE) are what the stage reuses without the network.
        try FileManager.default.removeItem(atPath: harness.workspace)
        _ = try await git(["clone", "--quiet", "--shared", Repository.root, harness.workspace], in: "/")
        let handler = "\(harness.workspace)/\(Self.handler)"
        let source = try String(contentsOfFile: handler, encoding: .utf8)
        try #require(source.contains(Self.versionLine), "the /version line of \(Self.handler) moved: update this test")
        try source.replacingOccurrences(of: Self.versionLine, with: Self.patchedVersionLine)
            .write(toFile: handler, atomically: true, encoding: .utf8)
        let environment = harness.environment(Self.settings.merging(["AGENT_SOURCE": Repository.root]) { _, new in new })

        let supervisor = try harness.startSupervisor(Self.settings)
        defer { supervisor.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(60)) { !harness.events("worker.ready").isEmpty }, "\(harness.allLogs())")
        let good = try #require(ArtifactStore(home: harness.home).currentRev)
        let before = try await version(harness)
        // The text as the chat shows it: the HTML markup (<code>) is not part of it.
        #expect(before.hasSuffix("rev \(good.prefix(12))"), "\(before)")
        #expect(!before.contains("updated by itself"))

        let started = ContinuousClock.now
        let stage = try await UpdateFixtures.agentBuild(
            ["stage", "--reason", "a new /version text"], environment: environment, timeout: .seconds(3600))
        let staging = ContinuousClock.now - started
        #expect(stage.status == .exited(0), "\(stage.standardError)\n\(failures(harness))")
        let rev = try #require(UpdateFixtures.rev(of: stage), "\(stage.standardOutput)\n\(stage.standardError)")
        let artifact = try #require(harness.database().flatMap { try? ArtifactTable(database: $0).find(rev: rev) })
        #expect(artifact.status == .staged)
        #expect(artifact.sourceCommit == (try await git(["rev-parse", "HEAD"], in: Repository.root)))
        let tests = try #require(artifact.metadata["tests"]?.objectValue)
        #expect(tests["failed"] == 0)
        #expect((tests["passed"]?.intValue ?? 0) > 100, "the suite ran: \(tests)")
        #expect(artifact.metadata["diffstat"]?.stringValue?.contains("CommandHandler.swift") == true)
        #expect(artifact.metadata["self_check"]?.stringValue?.hasPrefix("self-check passed") == true)
        #expect(artifact.metadata["dependencies"]?["swift-argument-parser"] != nil, "\(artifact.metadata)")
        print(
            "real stage: \(staging.components.seconds) s in all; build \(seconds("update.build.completed", harness)) s, tests "
                + "\(seconds("update.test.completed", harness)) s (\(tests["passed"]?.intValue ?? 0) passed, "
                + "\(tests["skipped"]?.intValue ?? 0) skipped), self-check \(seconds("update.self_check.completed", harness)) s")

        let approve = try await UpdateFixtures.agentBuild(["approve", String(artifact.id)], environment: environment)
        #expect(approve.status == .exited(0), "\(approve.standardError)")
        #expect(
            await harness.wait(timeout: .seconds(120)) {
                harness.events("revision.promoted").contains { $0.payloadObject?["rev"] == .string(rev) }
            }, "\(harness.allLogs())")
        #expect(ArtifactStore(home: harness.home).currentRev == rev)
        let after = try await version(harness)
        #expect(after.contains("updated by itself"), "\(after)")
        #expect(after.hasSuffix("rev \(rev.prefix(12))"), "\(after)")

        let rollback = try await UpdateFixtures.agentBuild(["rollback"], environment: environment)
        #expect(rollback.status == .exited(0), "\(rollback.standardError)")
        #expect(
            await harness.wait(timeout: .seconds(120)) { !harness.events("update.rollback.completed").isEmpty }, "\(harness.allLogs())")
        #expect(harness.events("update.rollback.completed").first?.payloadObject?["ok"] == true)
        #expect(ArtifactStore(home: harness.home).currentRev == good)
        #expect(harness.database().flatMap { try? ArtifactTable(database: $0).find(id: artifact.id) }?.status == .rolledBack)
        #expect(try await version(harness) == before)
    }
}
