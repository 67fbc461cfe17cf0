import Events
import Foundation
import ProcessControl
import Settings
import TestSupport
import Testing

@testable import Tools

@Suite(.timeLimit(.minutes(1))) struct PolicyTests {
    @Test func pathsInsideTheWorkspaceResolve() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("src/a.txt", "a")
        let policy = fixture.registry.policy
        #expect(
            try policy.resolve("src/a.txt") == ResolvedPath(absolute: "\(fixture.workspace)/src/a.txt", relative: "src/a.txt", exists: true)
        )
        #expect(try policy.resolve("\(fixture.workspace)/src/./b/../a.txt").relative == "src/a.txt")
        #expect(try policy.resolve(".").relative == ".")
        #expect(try policy.resolve("").relative == ".")
        #expect(try policy.resolve("new/folder/file.txt").exists == false)
        try fixture.symlink("inside", to: "src")
        #expect(try policy.resolve("inside/a.txt").absolute == "\(fixture.workspace)/src/a.txt")
    }

    @Test(arguments: [
        ("..", ToolsError.Code.outsideWorkspace),
        ("../../../etc/passwd", .outsideWorkspace),
        ("src/../../x", .outsideWorkspace),
        ("/etc/passwd", .outsideWorkspace),
        ("/", .outsideWorkspace),
        ("/proc/self/root", .outsideWorkspace),
        ("/proc/self/root/etc/passwd", .outsideWorkspace),
        ("/proc/self/environ", .outsideWorkspace),
        ("escape", .outsideWorkspace),
        ("escape/passwd", .outsideWorkspace),
        ("loop", .unresolvablePath),
        ("loop/x", .unresolvablePath),
        ("file.txt/x", .unresolvablePath),
        ("to-home", .protectedPath),
        ("to-home/agent.db", .protectedPath),
        ("../home/agent.db", .protectedPath),
        ("missing/../../home/agent.db", .protectedPath),
        ("missing/../to-home/agent.db", .protectedPath),
        ("a/b/missing/../../../escape/passwd", .outsideWorkspace),
    ])
    func adversarialPathsAreRefused(path: String, code: ToolsError.Code) async throws {
        let fixture = try await ToolFixture()
        try fixture.write("file.txt", "x")
        try fixture.symlink("escape", to: "/etc")
        try fixture.symlink("loop", to: "loop2")
        try fixture.symlink("loop2", to: "loop")
        try fixture.symlink("to-home", to: fixture.home)
        #expect(throws: ToolsError.self) { try fixture.registry.policy.resolve(path) }
        do {
            _ = try fixture.registry.policy.resolve(path)
        } catch {
            #expect(error.code == code, "\(path): \(error.message)")
        }
        for tool in ["read", "ls"] {
            let result = await fixture.call(tool, ["path": .string(path)])
            #expect(result.wasRefused, "\(tool) \(path)")
            #expect(result.envelope.ok == false)
        }
        let write = await fixture.call("write", ["path": .string(path), "content": "pwned"])
        #expect(write.wasRefused)
    }

    @Test func theHomeIsRefusedByItsAbsolutePathAndTheDatabaseWhereverItIs() async throws {
        let outside = TemporaryDirectory(prefix: "tools-db")
        let fixture = try await ToolFixture(environment: ["AGENT_DB": outside.file("agent.db")])
        let home = await fixture.call("read", ["path": .string("\(fixture.home)/agent.db")])
        #expect(home.refusal?.code == .protectedPath)
        #expect(home.envelope.error?.contains("AGENT_HOME") == true)
        #expect(fixture.registry.policy.databaseFiles.contains(outside.file("agent.db-wal")))
    }

    @Test func aWorkspaceOverlappingTheHomeOrMissingIsAConfigurationError() throws {
        let directory = TemporaryDirectory(prefix: "tools-policy")
        try FileManager.default.createDirectory(atPath: directory.file("home/ws"), withIntermediateDirectories: true)
        #expect(throws: ConfigurationError.self) {
            try ToolPolicy(
                environment: EnvironmentReader(["AGENT_HOME": directory.file("home"), "AGENT_WORKSPACE": directory.file("home/ws")]))
        }
        #expect(throws: ConfigurationError.self) {
            try ToolPolicy(
                environment: EnvironmentReader(["AGENT_HOME": directory.file("h"), "AGENT_WORKSPACE": directory.file("nowhere")]))
        }
        do {
            _ = try ToolPolicy(
                environment: EnvironmentReader([
                    "AGENT_HOME": directory.file("h"), "AGENT_WORKSPACE": directory.path, "AGENT_TOOLS": "read,rm",
                ]))
            Issue.record("an unknown tool name was accepted")
        } catch {
            #expect(error.variable == "AGENT_TOOLS")
            #expect(error.problem.contains("\"rm\""))
        }
        #expect(throws: ConfigurationError.self) {
            try ToolPolicy(
                environment: EnvironmentReader([
                    "AGENT_HOME": directory.file("h"), "AGENT_WORKSPACE": directory.path, "AGENT_TOOL_TIERS": "read,root",
                ]))
        }
    }

    @Test func thePolicyDefaultsToEveryToolAndEveryTierButNetwork() throws {
        let directory = TemporaryDirectory(prefix: "tools-policy")
        try FileManager.default.createDirectory(atPath: directory.file("ws"), withIntermediateDirectories: true)
        let policy = try ToolPolicy(
            environment: EnvironmentReader(["AGENT_HOME": directory.file("h"), "AGENT_WORKSPACE": directory.file("ws")]))
        #expect(policy.allowedTools == Set(ToolRegistry.builtinNames))
        #expect(policy.allowedTiers == [.read, .write, .exec])
        #expect(policy.allowUnsandboxedExec == false)
        #expect(policy.limits == ToolLimits())
        let none = try ToolPolicy(
            environment: EnvironmentReader([
                "AGENT_HOME": directory.file("h"), "AGENT_WORKSPACE": directory.file("ws"), "AGENT_TOOLS": "none",
                "AGENT_BASH_TIMEOUT_S": "30", "AGENT_BASH_MAX_FILE_MB": "1", "AGENT_BASH_MAX_PROCS": "20",
            ]))
        #expect(none.allowedTools.isEmpty)
        #expect(none.limits.bashDefaultTimeout == 30)
        #expect(none.limits.bashMaxFileMB == 1 && none.limits.bashMaxProcesses == 20)
        #expect(policy.limits.bashMaxFileMB == 1024 && policy.limits.bashMaxProcesses == 256)
        #expect(throws: ConfigurationError.self) {
            try ToolLimits(environment: EnvironmentReader(["AGENT_BASH_MAX_PROCS": "0"]))
        }
    }

    @Test func commandsGetNoSecrets() {
        let (kept, secrets) = CommandEnvironment.filter([
            "PATH": "/usr/bin", "HOME": "/root", "LANG": "C.UTF-8",
            "TELEGRAM_BOT_TOKEN": "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr", "OPENAI_API_KEY": "sk-abcdefghijklmnopqrstuvwx",
            "GITHUB_TOKEN": "ghp_0123456789", "AWS_SECRET_ACCESS_KEY": "abcdefghij", "DB_PASSWORD": "hunter22hunter",
            "SSH_AUTH_SOCK": "/tmp/agent.sock", "INNOCENT": "sk-abcdefghijklmnopqrstuvwxyz", "AGENT_HOME": "/data",
            "AGENT_DB": "/data/agent.db",
            "AGENT_WORKSPACE": "/ws",
        ])
        #expect(Set(kept.keys) == ["PATH", "HOME", "LANG", "AGENT_WORKSPACE"])
        #expect(secrets.contains("sk-abcdefghijklmnopqrstuvwx"))
        #expect(secrets.contains("123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr"))
        #expect(!secrets.contains("/data"))
    }

    @Test func theMaskerHidesKnownSecretsAndSecretShapedWords() {
        let masker = SecretMasker(values: ["hunter22hunter"])
        #expect(masker.mask("echo hunter22hunter") == "echo [REDACTED]")
        #expect(masker.mask("curl -H 'Authorization: Bearer sk-abcdefghijklmnopqrstuvwx'") == "curl -H 'Authorization: Bearer [REDACTED]")
        #expect(masker.mask("TOKEN=123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr ./run") == "[REDACTED] ./run")
        #expect(masker.mask("ls -la src:12") == "ls -la src:12")
        #expect(masker.mask(["a": ["b": "x hunter22hunter"]]) == ["a": ["b": "x [REDACTED]"]])
        #expect(masker.mask("export K=sk-abcdefghijklmnopqrstuvwx\n\tnext") == "export [REDACTED]\n\tnext")
        let long = String(repeating: "a", count: 100) + " sk-abcdefghijklmnopqrstuvwx"
        #expect(masker.mask(.string(long), maxBytes: 50) == .string(String(repeating: "a", count: 50)))
    }
}
