import Events
import Foundation
import ProcessControl
import Revisions
import TestSupport
import Testing

/// The supervisor's side of a self-update, with fixture workers staged by `agent-build stage --binary`: deploy,
/// probation, promotion, automatic and requested rollbacks, a supervisor killed mid-switch.
@Suite("Self-update: deploy and rollback", .timeLimit(.minutes(3)))
struct SelfUpdateTests {
    /// Fast settings: a 2 s probation, quick restarts, the database looked at every 100 ms.
    static let fast = [
        "AGENT_PROBATION_S": "2", "AGENT_BACKOFF_BASE_MS": "100", "AGENT_BACKOFF_MAX_S": "1", "AGENT_CRASH_BEFORE_READY_MAX": "3",
        "AGENT_UPDATE_POLL_MS": "100", "AGENT_STOP_GRACE_S": "3", "TELEGRAM_ADMIN_USER_IDS": "77",
    ]

    /// Stages `worker` with `--binary` (its self-check unfenced only where no fence can be made) and returns its artifact.
    func stage(_ worker: String, _ harness: AgentHarness) async throws -> ArtifactRecord {
        let environment = harness.environment(Self.fast.merging(await FenceCheck.stageEnvironment()) { _, new in new })
        let result = try await UpdateFixtures.agentBuild(["stage", "--binary", worker], environment: environment)
        #expect(result.status == .exited(0), "\(result.standardError)")
        let rev = try #require(UpdateFixtures.rev(of: result), "\(result.standardOutput)")
        let database = try #require(harness.database())
        return try #require(try ArtifactTable(database: database).find(rev: rev))
    }

    func artifact(_ id: Int64, _ harness: AgentHarness) -> ArtifactRecord? {
        harness.database().flatMap { try? ArtifactTable(database: $0).find(id: id) }
    }

    func approve(_ artifact: ArtifactRecord, _ harness: AgentHarness) async throws {
        let result = try await UpdateFixtures.agentBuild(["approve", String(artifact.id)], environment: harness.environment(Self.fast))
        #expect(result.status == .exited(0), "\(result.standardError)")
    }

    /// The rev `current` points at.
    func currentRev(_ harness: AgentHarness) -> String? { ArtifactStore(home: harness.home).currentRev }

    /// Starts the supervisor with the real worker as the first good revision and waits for it to serve.
    func startWithGoodWorker(_ harness: AgentHarness, _ extra: [String: String] = [:]) async throws -> (ChildProcess, String) {
        let supervisor = try harness.startSupervisor(Self.fast.merging(extra) { _, new in new })
        #expect(await harness.wait(timeout: .seconds(30)) { !harness.events("worker.ready").isEmpty }, "\(harness.allLogs())")
        return (supervisor, try #require(currentRev(harness)))
    }

    @Test("a staged fixture is approved, deployed, held on probation and promoted; the old revision is kept as previous")
    func approveDeployPromote() async throws {
        let harness = try AgentHarness()
        let (supervisor, good) = try await startWithGoodWorker(harness)
        defer { supervisor.signal(SIGKILL) }
        let next = try await stage(try UpdateFixtures.worker(.ready, in: harness.folder, tag: "promoted"), harness)
        #expect(next.status == .staged)
        #expect(next.metadata["tests"]?["ran"] == false)
        #expect(next.metadata["self_check"] == "self-check passed (fixture)")
        let folder = try #require(next.path)
        #expect(FileManager.default.isExecutableFile(atPath: "\(folder)/agent-worker"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/metadata.json"))
        #expect(FileManager.default.fileExists(atPath: "\(folder)/logs/self_check.log"))
        try await Task.sleep(for: .milliseconds(300))
        #expect(currentRev(harness) == good, "a staged artifact is not deployed before its approval")

        try await approve(next, harness)
        #expect(
            await harness.wait(timeout: .seconds(20)) { harness.events("revision.promoted").count == 2 }, "\(harness.allLogs())")
        let promoted = try #require(harness.events("revision.promoted").last)
        #expect(promoted.payloadObject?["rev"] == .string(next.rev ?? ""))
        #expect(currentRev(harness) == next.rev)
        #expect(ArtifactStore(home: harness.home).previousRev == good)
        #expect(artifact(next.id, harness)?.status == .promoted)
        let deploy = try #require(harness.events("update.deploy.started").first)
        #expect(deploy.parentID == next.transactionEventID, "the deploy is part of the update's tree")
        #expect(harness.events("update.deploy.completed").first?.parentID == deploy.id)
        let spawnedNew = harness.events("worker.spawned").filter { $0.payloadObject?["rev"] == .string(next.rev ?? "") }
        #expect(!spawnedNew.isEmpty)
        // Probation: the promotion comes after the new worker was ready for AGENT_PROBATION_S.
        let readyNew = try #require(harness.events("worker.ready").last)
        #expect(promoted.ts - readyNew.ts >= 1900)
    }

    @Test("a revision that crashes at start is rolled back within the window; messages sent meanwhile are answered after")
    func crashAtStartRollsBack() async throws {
        let harness = try AgentHarness()
        let (supervisor, good) = try await startWithGoodWorker(harness)
        defer { supervisor.signal(SIGKILL) }
        let bad = try await stage(try UpdateFixtures.worker(.crashesAtStart, in: harness.folder, tag: "crash"), harness)
        try await approve(bad, harness)
        #expect(await harness.wait(timeout: .seconds(10)) { currentRev(harness) == bad.rev }, "\(harness.allLogs())")
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "sent while the bad revision runs")
        #expect(await harness.wait(timeout: .seconds(20)) { !harness.events("rollback.attempted").isEmpty }, "\(harness.allLogs())")
        let rollback = try #require(harness.events("rollback.attempted").first?.payloadObject)
        #expect(rollback["from_rev"] == .string(bad.rev ?? ""))
        #expect(rollback["to_rev"] == .string(good))
        #expect(rollback["reason"] == "crash_loop")
        #expect(harness.events("crash_loop.detected").count == 1)
        // The rollback records its events first and switches `current` last.
        #expect(await harness.wait(timeout: .seconds(10)) { currentRev(harness) == good }, "\(harness.allLogs())")
        #expect(artifact(bad.id, harness)?.status == .rolledBack)
        #expect(harness.events("update.deploy.failed").first?.payloadObject?["rolled_back_to"] == .string(good))
        #expect(harness.events("revision.promoted").count == 1, "the bad revision was never promoted")

        let replies = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(30))
        #expect(replies.count == 1, "the message of the bad window was not answered: \(harness.allLogs())")
        // The admin's notices: the staged artifact (with its buttons), then the rollback, queued by the good worker.
        let notices = await harness.telegram.waitForSentMessages(count: 2, chatID: 77, timeout: .seconds(10))
        #expect(notices.first?.callbackData == ["approve:\(bad.id)", "reject:\(bad.id)"], "\(notices)")
        #expect(notices.last?.text.contains("Update rolled back") == true, "\(notices)")
        let window =
            try #require(harness.events("update.deploy.failed").first).ts - (try #require(harness.events("update.deploy.started").first).ts)
        #expect(window < 10_000, "the rollback took \(window) ms")
    }

    @Test("a revision that never gets ready is rolled back when its probation ends")
    func neverReadyRollsBack() async throws {
        let harness = try AgentHarness()
        let (supervisor, good) = try await startWithGoodWorker(harness)
        defer { supervisor.signal(SIGKILL) }
        let bad = try await stage(try UpdateFixtures.worker(.neverReady, in: harness.folder, tag: "silent"), harness)
        try await approve(bad, harness)
        #expect(await harness.wait(timeout: .seconds(20)) { !harness.events("rollback.attempted").isEmpty }, "\(harness.allLogs())")
        #expect(harness.events("rollback.attempted").first?.payloadObject?["reason"] == "not_ready")
        #expect(harness.events("worker.exited").contains { $0.payloadObject?["reason"] == "probation_not_ready" })
        // The rollback records its events first and switches `current` last.
        #expect(await harness.wait(timeout: .seconds(10)) { currentRev(harness) == good }, "\(harness.allLogs())")
        #expect(artifact(bad.id, harness)?.status == .rolledBack)
        #expect(await harness.wait(timeout: .seconds(20)) { harness.events("worker.ready").count >= 2 })
    }

    @Test(
        "a supervisor killed just after the deploying mark, or just after the switch, finishes the deploy on restart",
        arguments: [
            "deploy.after_mark", "deploy.after_switch",
        ])
    func killedMidSwitch(failpoint: String) async throws {
        let harness = try AgentHarness()
        let (supervisor, good) = try await startWithGoodWorker(harness, ["AGENT_FAILPOINT": failpoint])
        defer { supervisor.signal(SIGKILL) }
        let next = try await stage(try UpdateFixtures.worker(.ready, in: harness.folder, tag: "after-\(failpoint)"), harness)
        try await approve(next, harness)
        let died = await supervisor.wait(timeout: .seconds(20))
        #expect(died.status == .signaled(SIGKILL), "\(harness.allLogs())")
        #expect(artifact(next.id, harness)?.status == .deploying)
        #expect(currentRev(harness) == (failpoint == "deploy.after_mark" ? good : next.rev))

        let restarted = try harness.startSupervisor(Self.fast, name: "restarted")
        defer { restarted.signal(SIGKILL) }
        #expect(await harness.wait(timeout: .seconds(30)) { artifact(next.id, harness)?.status == .promoted }, "\(harness.allLogs())")
        #expect(currentRev(harness) == next.rev)
        #expect(harness.events("revision.promoted").last?.payloadObject?["rev"] == .string(next.rev ?? ""))
        #expect(harness.events("update.deploy.started").count == 1)
        #expect(harness.events("update.deploy.completed").count == 1)
    }

    @Test("agent-build rollback: the supervisor restores the previous revision and promotes it once it is ready")
    func requestedRollback() async throws {
        let harness = try AgentHarness()
        let (supervisor, good) = try await startWithGoodWorker(harness)
        defer { supervisor.signal(SIGKILL) }
        let next = try await stage(try UpdateFixtures.worker(.ready, in: harness.folder, tag: "to-roll-back"), harness)
        try await approve(next, harness)
        #expect(await harness.wait(timeout: .seconds(20)) { artifact(next.id, harness)?.status == .promoted }, "\(harness.allLogs())")

        let result = try await UpdateFixtures.agentBuild(["rollback"], environment: harness.environment(Self.fast))
        #expect(result.status == .exited(0), "\(result.standardError)")
        let request = try #require(harness.events("update.rollback.requested").first)
        #expect(request.payloadObject?["to_rev"] == .string(good))
        #expect(await harness.wait(timeout: .seconds(20)) { !harness.events("update.rollback.completed").isEmpty }, "\(harness.allLogs())")
        let completed = try #require(harness.events("update.rollback.completed").first)
        #expect(completed.parentID == request.id)
        #expect(completed.payloadObject?["ok"] == true)
        #expect(harness.events("revision.promoted").last?.payloadObject?["rev"] == .string(good))
        #expect(harness.events("revision.promoted").last?.parentID == request.id)
        #expect(currentRev(harness) == good)
        #expect(artifact(next.id, harness)?.status == .rolledBack)
        #expect(await harness.wait(timeout: .seconds(10)) { harness.events("worker.ready").count >= 3 })
    }

    @Test("an artifact whose binary no longer matches its rev is refused at deploy: rejected, the admins told, nothing switched")
    func tamperedArtifactIsRefused() async throws {
        let harness = try AgentHarness()
        let (supervisor, good) = try await startWithGoodWorker(harness)
        defer { supervisor.signal(SIGKILL) }
        let next = try await stage(try UpdateFixtures.worker(.ready, in: harness.folder, tag: "tampered"), harness)
        let binary = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(try #require(next.path))/agent-worker"))
        try binary.seekToEnd()
        try binary.write(contentsOf: Data("# changed after the stage\n".utf8))
        try binary.close()
        try await approve(next, harness)
        #expect(await harness.wait(timeout: .seconds(10)) { !harness.events("update.deploy.failed").isEmpty }, "\(harness.allLogs())")
        let failed = try #require(harness.events("update.deploy.failed").first?.payloadObject)
        #expect(failed["rev"] == .string(next.rev ?? ""))
        #expect(failed["artifact_id"] == .int(next.id))
        #expect(failed["deployed"] == false)
        #expect(failed["reason"]?.stringValue?.contains("SHA-256") == true)
        #expect(artifact(next.id, harness)?.status == .rejected)
        #expect(currentRev(harness) == good)
        let notices = await harness.telegram.waitForSentMessages(count: 2, chatID: 77, timeout: .seconds(10))
        #expect(notices.last?.text.contains("Update refused") == true, "\(notices)")
        #expect(notices.last?.text.contains(String((next.rev ?? "").prefix(12))) == true, "\(notices)")
        #expect(harness.events("worker.spawned").count == 1, "the good worker was never replaced")
    }

    @Test("a rejected artifact is never deployed and cannot be approved after")
    func reject() async throws {
        let harness = try AgentHarness()
        let (supervisor, good) = try await startWithGoodWorker(harness)
        defer { supervisor.signal(SIGKILL) }
        let next = try await stage(try UpdateFixtures.worker(.ready, in: harness.folder, tag: "rejected"), harness)
        let rejected = try await UpdateFixtures.agentBuild(["reject", next.rev ?? ""], environment: harness.environment(Self.fast))
        #expect(rejected.status == .exited(0), "\(rejected.standardError)")
        #expect(artifact(next.id, harness)?.status == .rejected)
        #expect(harness.events("update.rejected").first?.parentID == next.transactionEventID)
        let late = try await UpdateFixtures.agentBuild(["approve", String(next.id)], environment: harness.environment(Self.fast))
        #expect(late.status == .exited(1))
        #expect(late.standardError.contains("rejected, not staged"))
        #expect(late.standardError.split(separator: "\n").count == 1)
        try await Task.sleep(for: .milliseconds(500))
        #expect(currentRev(harness) == good)
        #expect(harness.events("update.deploy.started").isEmpty)
    }
}
