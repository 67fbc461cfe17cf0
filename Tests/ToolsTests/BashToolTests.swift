import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

@Suite(.enabled("bubblewrap works on this machine") { await SandboxCheck.works() }, .timeLimit(.minutes(2)))
struct BashToolTests {
    @Test func runsACommandInTheWorkspace() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        let envelope = await fixture.call("bash", #"{"command": "pwd; echo out; echo err >&2; touch made"}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.exitCode == 0)
        #expect(envelope.stdout == "\(fixture.workspace)\nout\n")
        #expect(envelope.stderr == "err\n")
        #expect(envelope.truncated == false)
        #expect(FileManager.default.fileExists(atPath: "\(fixture.workspace)/made"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(fixture.workspace)/.agent-scratch") == [".gitignore"])
    }

    @Test func aCommandThatSwapsItsOwnOutputFileForASymlinkDoesNotMakeTheWorkerReadThere() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        try Data("the home's secret".utf8).write(to: URL(fileURLWithPath: "\(fixture.home)/AGENT.md"))
        // The worker used to read the output back by its path, following a symlink the command put there.
        let command = "out=$(readlink /proc/$$/fd/1); echo visible; rm \"$out\"; ln -s \(fixture.home)/AGENT.md \"$out\""
        let envelope = await fixture.call("bash", ["command": .string(command)]).envelope
        #expect(envelope.ok, "\(envelope.json)")
        #expect(envelope.stdout == "visible\n")
        #expect(try String(contentsOfFile: "\(fixture.home)/AGENT.md", encoding: .utf8) == "the home's secret")
    }

    @Test func aFailingCommandRanAndSaysItsExitCode() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        let result = await fixture.call("bash", #"{"command": "echo partial; exit 3"}"#)
        #expect(result.refusal == nil)
        #expect(result.envelope.ok == false)
        #expect(result.envelope.exitCode == 3)
        #expect(result.envelope.stdout == "partial\n")
        #expect(result.envelope.error == "the command exited with code 3")
    }

    @Test func theRestOfTheFilesystemIsReadOnlyAndTheHomeIsHidden() async throws {
        // A home outside /tmp, which the sandbox replaces as a whole anyway.
        var template = Array("/var/tmp/tools-home-XXXXXX".utf8CString)
        let home = String(cString: try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }))
        defer { try? FileManager.default.removeItem(atPath: home) }
        try Data("the database".utf8).write(to: URL(fileURLWithPath: "\(home)/agent.db"))
        let fixture = try await ToolFixture(sandboxed: true, environment: ["AGENT_HOME": home])
        let command = "touch /usr/pwned; ls -A \(home); cat \(home)/agent.db; mount -o remount,rw /; umount \(home); ls -A \(home)"
        let envelope = await fixture.call("bash", ["command": .string(command)]).envelope
        #expect(envelope.stdout == "")
        #expect(envelope.stderr.contains("Read-only file system"))
        #expect(envelope.stderr.contains("No such file"))
        #expect(!FileManager.default.fileExists(atPath: "/usr/pwned"))
        #expect(try String(contentsOfFile: "\(home)/agent.db", encoding: .utf8) == "the database")
    }

    @Test func secretsAreNotInTheEnvironmentNorReadableThroughProc() async throws {
        let secret = "sk-testsecretvalue0123456789"
        let fixture = try await ToolFixture(
            sandboxed: true, environment: ["OPENAI_API_KEY": secret, "TELEGRAM_BOT_TOKEN": "42:tokentokentoken"])
        let command = "env; cat /proc/\(getpid())/environ; cat /proc/*/environ | tr '\\0' '\\n'; ls /proc | grep -c '^[0-9]'"
        let envelope = await fixture.call("bash", ["command": .string(command)]).envelope
        #expect(!envelope.stdout.contains(secret))
        #expect(!envelope.stdout.contains("OPENAI_API_KEY"))
        #expect(!envelope.stdout.contains("TELEGRAM_BOT_TOKEN"))
        #expect(!envelope.stdout.contains("AGENT_HOME"))
        #expect(envelope.stdout.contains("PATH="))
        let processes = Int(envelope.stdout.split(separator: "\n").last ?? "") ?? 0
        #expect(processes > 0 && processes < 10, "\(processes) processes visible")
    }

    @Test func aCommandReadingStandardInputDoesNotHang() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        let envelope = await fixture.call("bash", #"{"command": "cat; read line; echo done $?", "timeout_s": 20}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.stdout == "done 1\n")
        #expect(envelope.durationMs < 15_000)
    }

    @Test func onTimeoutEverythingItStartedIsKilledSetsidIncluded() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        let tag = String(Int.random(in: 100_000...999_999))
        let command =
            "sleep 1000.\(tag)1 & setsid sleep 1000.\(tag)2 & (trap '' TERM; sleep 1000.\(tag)3) & echo started; sleep 1000.\(tag)4"
        let envelope = await fixture.call("bash", ["command": .string(command), "timeout_s": 1]).envelope
        #expect(envelope.ok == false)
        #expect(envelope.exitCode == nil)
        #expect(envelope.error?.contains("timed out after 1 s") == true)
        #expect(envelope.stdout == "started\n")
        #expect(envelope.durationMs < 30_000, "the sleeps must not be waited for")
        #expect(await ProcessTable.waitUntilGone(matching: "1000.\(tag)"))
    }

    @Test func backgroundChildrenDieWhenTheCommandEnds() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        let tag = String(Int.random(in: 100_000...999_999))
        let envelope = await fixture.call("bash", ["command": .string("setsid sleep 1000.\(tag) > /dev/null 2>&1 & echo left")]).envelope
        #expect(envelope.ok)
        #expect(envelope.durationMs < 30_000, "the background sleep must not be waited for")
        #expect(await ProcessTable.waitUntilGone(matching: "1000.\(tag)"))
    }

    @Test func fiftyMegabytesOfOutputAreCutToTheTailAndKeptInTheScratchFolder() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        let command = "yes 'a line of output that is long enough' | head -c 50000000; echo; echo the end"
        let envelope = await fixture.call("bash", ["command": .string(command)]).envelope
        #expect(envelope.ok)
        #expect(envelope.truncated)
        #expect(envelope.stdout.utf8.count <= 50 * 1024)
        #expect(envelope.stdout.hasSuffix("\nthe end\n"))
        #expect(envelope.stdout.hasPrefix("a line of output"))
        let note = try #require(envelope.note)
        #expect(note.contains("stdout was 50000009 bytes"))
        let name = try #require(note.firstMatch(of: /\.agent-scratch\/(bash-[0-9a-f-]+\.out)/)?.1)
        let size = try FileManager.default.attributesOfItem(atPath: "\(fixture.workspace)/.agent-scratch/\(name)")[.size] as? Int
        #expect(size == 50_000_009)
        let page = await fixture.call("read", ["path": .string(".agent-scratch/\(name)"), "offset": 1, "limit": 1]).envelope
        #expect(page.stdout == "a line of output that is long enough\n")
        let search = await fixture.call("grep", ["pattern": "the end", "path": .string(".agent-scratch/\(name)")]).envelope
        #expect(search.stdout == ".agent-scratch/\(name):1351353: the end\n")
    }

    @Test func theScratchFolderIsNeverPartOfAPatch() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        try fixture.write("tracked.txt", "x\n")
        let command =
            "git init -q . && git add -A && git -c user.name=t -c user.email=t@t commit -qm init && yes | head -c 200000 && echo change >> tracked.txt"
        let run = await fixture.call("bash", ["command": .string(command)]).envelope
        #expect(run.ok, "\(run.stderr)")
        #expect(run.truncated)
        let outputs = try FileManager.default.contentsOfDirectory(atPath: "\(fixture.workspace)/.agent-scratch")
        #expect(outputs.contains { $0.hasSuffix(".out") })
        let staged = await fixture.call(
            "bash", #"{"command": "git add -A && git diff --cached --name-only && git status --porcelain --untracked-files=all"}"#
        ).envelope
        #expect(staged.stdout == "tracked.txt\nM  tracked.txt\n")
    }

    @Test func theNetworkIsOffUnlessItsTierIsAllowed() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        let command = #"{"command": "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"}"#
        let envelope = await fixture.call("bash", command).envelope
        #expect(envelope.stdout == "lo\n")
        let open = try await ToolFixture(sandboxed: true, environment: ["AGENT_TOOL_TIERS": "read,write,exec,network"])
        #expect(await open.call("bash", command).envelope.stdout != "lo\n")
    }
}

/// The processes of the machine, seen from outside any sandbox.
enum ProcessTable {
    /// Whether no process has `fragment` in its command line, waiting up to 10 s for the kernel to finish killing.
    static func waitUntilGone(matching fragment: String) async -> Bool {
        for _ in 0..<100 {
            if !running(matching: fragment) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    static func running(matching fragment: String) -> Bool {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        return pids.contains { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let text = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            return text.contains(fragment)
        }
    }
}
