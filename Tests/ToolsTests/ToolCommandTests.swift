import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

/// `agent-worker tool ...` run as a child process, as operators run it.
@Suite(.timeLimit(.minutes(2))) struct ToolCommandTests {
    static let keys = ["duration_ms", "error", "exit_code", "next_offset", "note", "ok", "stderr", "stdout", "truncated"]

    private func envelope(_ result: ProcessResult) throws -> JSONValue {
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 1, "one line of JSON: \(result.standardOutput)")
        let value = try JSONValue(parsing: String(try #require(lines.first)))
        #expect(value.objectValue?.keys.sorted() == Self.keys)
        return value
    }

    @Test func aToolThatRanExitsZeroWithTheEnvelope() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "one\ntwo\n")
        let result = try await WorkerProcess.run(fixture, ["tool", "read", #"{"path": "a.txt", "limit": 1}"#])
        #expect(result.status == .exited(0))
        let value = try envelope(result)
        #expect(value["ok"] == true)
        #expect(value["stdout"] == "one\n")
        #expect(value["next_offset"] == 2)
        #expect(
            result.standardOutput.hasPrefix(
                #"{"ok":true,"exit_code":0,"stdout":"one\n","stderr":"","truncated":true,"next_offset":2,"duration_ms":"#))
    }

    @Test func aToolThatFailedStillExitsZero() async throws {
        let fixture = try await ToolFixture()
        let missing = try await WorkerProcess.run(fixture, ["tool", "read", #"{"path": "missing.txt"}"#])
        #expect(missing.status == .exited(0))
        #expect(try envelope(missing)["ok"] == false)
        let regex = try await WorkerProcess.run(fixture, ["tool", "grep", #"{"pattern": "("}"#])
        #expect(regex.status == .exited(0))
        #expect(try envelope(regex)["exit_code"] == 2)
    }

    @Test(arguments: [
        ["tool", "read", #"{"path": "../outside"}"#],
        ["tool", "read", #"{"path": "/proc/self/root/etc/passwd"}"#],
        ["tool", "read", #"{"path": "a.txt", "extra": 1}"#],
        ["tool", "read", #"{"path": 1}"#],
        ["tool", "read", "not json"],
        ["tool", "nosuchtool", "{}"],
    ])
    func refusalsExitTwoWithTheReasonInTheEnvelope(arguments: [String]) async throws {
        let fixture = try await ToolFixture()
        let result = try await WorkerProcess.run(fixture, arguments)
        #expect(result.status == .exited(2))
        let value = try envelope(result)
        #expect(value["ok"] == false)
        #expect(value["exit_code"] == .null)
        #expect(value["error"]?.stringValue?.isEmpty == false)
    }

    @Test func thePolicyComesFromTheEnvironment() async throws {
        let fixture = try await ToolFixture()
        let result = try await WorkerProcess.run(
            fixture, ["tool", "write", #"{"path": "x", "content": "y"}"#], environment: ["AGENT_TOOL_TIERS": "read"])
        #expect(result.status == .exited(2))
        #expect(try envelope(result)["error"]?.stringValue?.contains("AGENT_TOOL_TIERS") == true)
        let misconfigured = try await WorkerProcess.run(fixture, ["tool", "ls"], environment: ["AGENT_TOOLS": "ls,sudo"])
        #expect(misconfigured.status == .exited(1))
        #expect(misconfigured.standardError.contains("AGENT_TOOLS"))
        // What the worker accepts, the command accepts: stage_update is a worker tool, not runnable by hand.
        let withStageUpdate = try await WorkerProcess.run(fixture, ["tool", "ls"], environment: ["AGENT_TOOLS": "ls,stage_update"])
        #expect(withStageUpdate.status == .exited(0))
        let stageByHand = try await WorkerProcess.run(fixture, ["tool", "stage_update", "{}"])
        #expect(stageByHand.status == .exited(2))
        #expect(try envelope(stageByHand)["error"]?.stringValue?.contains("only inside the worker") == true)
    }

    @Test func usageErrorsExitTwo() async throws {
        let fixture = try await ToolFixture()
        let result = try await WorkerProcess.run(fixture, ["tool"])
        #expect(result.status == .exited(2))
        #expect(result.standardError.contains("name the tool to run"))
        let unknownFlag = try await WorkerProcess.run(fixture, ["tool", "--frobnicate", "ls"])
        #expect(unknownFlag.status == .exited(2))
    }

    @Test func argumentsCanComeFromStandardInputAndTheListShowsEveryTool() async throws {
        let fixture = try await ToolFixture()
        let input = fixture.directory.file("args.json")
        try Data(#"{"path": "big.txt", "content": "from stdin\n"}"#.utf8).write(to: URL(fileURLWithPath: input))
        let child = try WorkerProcess.start(fixture, tool: "write", argumentsFile: input)
        #expect(await child.wait() == .exited(0))
        #expect(try fixture.text("big.txt") == "from stdin\n")
        let list = try await WorkerProcess.run(fixture, ["tool", "--list"])
        #expect(list.status == .exited(0))
        let value = try JSONValue(parsing: list.standardOutput)
        #expect(value["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ToolRegistry.builtinNames)
        #expect(value["sandbox"]?.stringValue.map { SandboxState(rawValue: $0) != nil } == true)
    }

    @Test(.enabled("bubblewrap works on this machine") { await SandboxCheck.works() })
    func theWorkersEnvironmentCannotBeReadFromInsideBash() async throws {
        let fixture = try await ToolFixture()
        let secret = "sk-workersecret0123456789abcdef"
        // `exec` keeps the shell's pid, so $$ is the worker's pid, written into the command before it starts.
        let script =
            #"exec "$0" tool bash "{\"command\": \"cat /proc/$$/environ; echo; cat /proc/$$/cmdline; tr '\\\\0' '\\\\n' < /proc/1/environ\"}""#
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: "/bin/sh", arguments: ["-c", script, Executables.path("agent-worker")],
                environment: WorkerProcess.environment(
                    fixture, ["OPENAI_API_KEY": secret, "TELEGRAM_BOT_TOKEN": "123456:abcdefghijklmnopqrstuvwxyz0123456789"])),
            timeout: .seconds(30))
        #expect(result.status == .exited(0), "\(result.standardError)")
        let value = try envelope(result)
        #expect(value["stderr"]?.stringValue?.contains("No such file") == true, "\(value)")
        #expect(!result.standardOutput.contains(secret))
        #expect(!result.standardOutput.contains("OPENAI_API_KEY"))
        #expect(!result.standardOutput.contains("abcdefghijklmnopqrstuvwxyz0123456789"))
    }

    @Test(.enabled("bubblewrap works on this machine") { await SandboxCheck.works() })
    func byHandBashHidesTheUsersHomeAndHoldsTheLimits() async throws {
        let fixture = try await ToolFixture()
        // The worker's user's home, outside /tmp (which the sandbox replaces anyway).
        let userHome = "/var/tmp/tool-command-home-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: "\(userHome)/.ssh", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: userHome) }
        try Data("PRIVATE KEY".utf8).write(to: URL(fileURLWithPath: "\(userHome)/.ssh/id_rsa"))
        let environment = ["HOME": userHome, "AGENT_BASH_MAX_FILE_MB": "1"]
        let command = #"{"command": "cat ~/.ssh/id_rsa; head -c 2000000 /dev/zero > big; echo $?"}"#
        let result = try await WorkerProcess.run(fixture, ["tool", "bash", command], environment: environment)
        #expect(result.status == .exited(0), "\(result.standardError)")
        let value = try envelope(result)
        #expect(value["stdout"]?.stringValue == "153\n", "\(value)")
        #expect(!result.standardOutput.contains("PRIVATE KEY"))
        let list = try JSONValue(
            parsing: try await WorkerProcess.run(fixture, ["tool", "--list"], environment: environment).standardOutput)
        #expect(list["sandbox_limits"]?["max_file_mb"] == 1)
        #expect(list["sandbox_limits"]?["max_file_mb_holds"] == "enforced (RLIMIT_FSIZE)")
        #expect(list["sandbox_limits"]?["max_procs_holds"]?.stringValue?.contains("enforced") == true)
    }
}
