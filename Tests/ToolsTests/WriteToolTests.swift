import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.timeLimit(.minutes(2))) struct WriteToolTests {
    @Test func createsAFileAndItsFolders() async throws {
        let fixture = try await ToolFixture()
        let envelope = await fixture.call("write", ["path": "a/b/c.txt", "content": "hello\nworld\n"]).envelope
        #expect(envelope.ok)
        #expect(envelope.stdout == "created a/b/c.txt: 12 bytes, 2 lines\n")
        #expect(try fixture.text("a/b/c.txt") == "hello\nworld\n")
    }

    @Test func replacesAFileKeepingItsModeAndLeavesNoTemporaryFile() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("run.sh", "old")
        let path = "\(fixture.workspace)/run.sh"
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        let envelope = await fixture.call("write", ["path": "run.sh", "content": "#!/bin/sh\necho new\n"]).envelope
        #expect(envelope.stdout.hasPrefix("replaced run.sh"))
        #expect(try fixture.text("run.sh") == "#!/bin/sh\necho new\n")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o755)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.workspace).sorted() == [".agent-scratch", "run.sh"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(fixture.workspace)/.agent-scratch") == [".gitignore"])
    }

    @Test func anInterruptedWriteLeavesTheOldFileWhole() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("data.txt", "the old content\n")
        let path = "\(fixture.workspace)/data.txt"
        struct Interrupted: Error {}
        let workspace = open(fixture.workspace, O_RDONLY | O_DIRECTORY)
        let temporaryFolder = open(fixture.directory.path, O_RDONLY | O_DIRECTORY)
        defer { close(workspace); close(temporaryFolder) }
        #expect(throws: ToolsError.self) {
            try AtomicFile.write(
                Array(repeating: UInt8(ascii: "n"), count: 5 << 20), into: workspace, name: "data.txt", shownAs: "data.txt",
                temporaryFolder: temporaryFolder, chunkSize: 1 << 20
            ) { written in
                if written >= 2 << 20 { throw Interrupted() }
            }
        }
        #expect(try fixture.text("data.txt") == "the old content\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.workspace) == ["data.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).sorted() == ["home", "workspace"])
    }

    @Test func aWorkerKilledWhileWritingLeavesTheOldOrTheNewFileNeverAPart() async throws {
        let fixture = try await ToolFixture()
        let old = String(repeating: "old\n", count: 1000)
        let new = String(repeating: "new line of text\n", count: 500_000)  // 8.5 MB
        let arguments = fixture.directory.file("arguments.json")
        let json = #"{"path": "data.txt", "content": ""# + String(repeating: #"new line of text\n"#, count: 500_000) + #""}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: arguments))
        try fixture.write("data.txt", old)
        let clock = ContinuousClock()
        let start = clock.now
        let whole = try WorkerProcess.start(fixture, tool: "write", argumentsFile: arguments)
        #expect(await whole.wait() == .exited(0))
        let duration = clock.now - start
        #expect(try fixture.text("data.txt") == new)
        // Kill later and later runs, the last ones most likely while the file is written.
        for fraction in [0.6, 0.85, 0.93, 0.97, 0.99] {
            try fixture.write("data.txt", old)
            let child = try WorkerProcess.start(fixture, tool: "write", argumentsFile: arguments)
            try await Task.sleep(for: duration * fraction)
            child.signalGroup(SIGKILL)
            _ = await child.wait()
            let size = try FileManager.default.attributesOfItem(atPath: "\(fixture.workspace)/data.txt")[.size] as? Int
            #expect(size == old.utf8.count || size == new.utf8.count, "killed at \(fraction): \(size ?? -1) bytes")
        }
    }

    @Test func refusesToWriteOverAFolder() async throws {
        let fixture = try await ToolFixture()
        try FileManager.default.createDirectory(atPath: "\(fixture.workspace)/dir", withIntermediateDirectories: true)
        let envelope = await fixture.call("write", ["path": "dir", "content": "x"]).envelope
        #expect(envelope.ok == false)
        #expect(envelope.error?.contains("is a folder") == true)
    }
}
