import Events
import Foundation
import Testing

@testable import Tools

#if canImport(Glibc)
    import Glibc
#endif

/// What `bash` must not see of the worker's user and must not share with the host (issue 8, item 8).
@Suite(.enabled("bubblewrap works on this machine") { await SandboxCheck.works() }, .timeLimit(.minutes(2)))
struct BashSandboxIsolationTests {
    @Test func theUsersHomeAndItsDotfilesAreHiddenAndHomeIsAScratchFolder() async throws {
        // A home outside /tmp (which the sandbox replaces anyway), with the credentials a worker's user may hold.
        var template = Array("/var/tmp/tools-user-home-XXXXXX".utf8CString)
        let userHome = String(cString: try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }))
        defer { try? FileManager.default.removeItem(atPath: userHome) }
        let secrets = [
            ".ssh/id_rsa": "PRIVATE KEY", ".netrc": "machine x password p", ".aws/credentials": "aws_secret", ".config/gh/hosts.yml": "gh",
        ]
        for (path, content) in secrets {
            let url = URL(fileURLWithPath: "\(userHome)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        let passwordHome = String(cString: try #require(getpwuid(getuid())?.pointee.pw_dir))
        let fixture = try await ToolFixture(sandboxed: true, environment: ["HOME": userHome])
        let reads = secrets.keys.sorted().map { "cat ~/\($0) \(userHome)/\($0)" }.joined(separator: "; ")
        let homes = [userHome, "/root", passwordHome]
        let command = """
            echo "$HOME"; \(reads); for home in \(homes.joined(separator: " ")); do ls -A "$home" | wc -l; done
            touch ~/made && echo home-writable
            """
        let envelope = await fixture.call("bash", ["command": .string(command)]).envelope
        let expected = [BashSandbox.scratchHome, "0", "0", "0", "home-writable"]
        #expect(envelope.stdout.split(separator: "\n").map(String.init) == expected, "\(envelope.json)")
        for content in secrets.values { #expect(!envelope.stdout.contains(content)) }
        #expect(envelope.stderr.contains("No such file"))
        #expect(!FileManager.default.fileExists(atPath: "\(userHome)/made"))
    }

    @Test func ipcAndUtsNamespacesAreTheSandboxesOwn() async throws {
        let fixture = try await ToolFixture(sandboxed: true)
        let envelope = await fixture.call("bash", #"{"command": "readlink /proc/self/ns/ipc /proc/self/ns/uts; hostname pwned"}"#).envelope
        let outside = try ["ipc", "uts"].map { try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\($0)") }
        let inside = envelope.stdout.split(separator: "\n").map(String.init)
        #expect(inside.count == 2, "\(envelope.json)")
        #expect(inside.first?.hasPrefix("ipc:[") == true && inside.last?.hasPrefix("uts:[") == true)
        #expect(inside[0] != outside[0])
        #expect(inside[1] != outside[1])
        #expect(envelope.ok == false, "no capability is left to change even the sandbox's own host name")
        #expect(ProcessInfo.processInfo.hostName != "pwned")
    }
}
