import Foundation
import ProcessControl
import TestSupport
import Testing

@Suite("Workspace at first start", .timeLimit(.minutes(3)))
struct WorkspaceBootstrapTests {
    func git(_ arguments: [String], in directory: String) async throws {
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: "git", arguments: ["-c", "user.name=t", "-c", "user.email=t@t"] + arguments,
                environment: TestEnvironment.make(), workingDirectory: directory))
        try #require(result.status.isSuccess, "\(result.standardError)")
    }

    @Test("a missing workspace is cloned from AGENT_SOURCE: committed files only")
    func clonesTheSource() async throws {
        let harness = try AgentHarness()
        let source = harness.folder.file("source")
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try "print(1)\n".write(toFile: source + "/main.swift", atomically: true, encoding: .utf8)
        try await git(["init", "--quiet"], in: source)
        try await git(["add", "main.swift"], in: source)
        try await git(["commit", "--quiet", "-m", "first"], in: source)
        try "TELEGRAM_BOT_TOKEN=not-committed\n".write(toFile: source + "/.env", atomically: true, encoding: .utf8)
        let workspace = harness.folder.file("fresh-workspace")
        let worker = try harness.startWorker(["AGENT_WORKSPACE": workspace, "AGENT_SOURCE": source])
        defer { worker.signal(SIGKILL) }
        #expect(await harness.wait { !harness.events("process.started").isEmpty }, "\(harness.allLogs())")
        #expect(FileManager.default.fileExists(atPath: workspace + "/main.swift"))
        #expect(FileManager.default.fileExists(atPath: workspace + "/.git"))
        #expect(!FileManager.default.fileExists(atPath: workspace + "/.env"))
    }

    @Test("with nothing to clone from, the worker stops at start with one line naming the variable")
    func nothingToClone() async throws {
        let harness = try AgentHarness()
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-worker"),
                environment: harness.environment([
                    "AGENT_WORKSPACE": harness.folder.file("absent"), "AGENT_SOURCE": harness.folder.file("no-repo"),
                ])),
            timeout: .seconds(30))
        #expect(result.status == .exited(2))
        #expect(result.standardError.hasPrefix("agent-worker: AGENT_WORKSPACE: cannot clone"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }
}
