import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

@Suite(.timeLimit(.minutes(1))) struct ReadToolTests {
    @Test func readsAWholeSmallFile() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "one\ntwo\nthree")
        let envelope = await fixture.call("read", #"{"path": "a.txt"}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.exitCode == 0)
        #expect(envelope.stdout == "one\ntwo\nthree")
        #expect(envelope.nextOffset == nil)
        #expect(envelope.truncated == false)
        #expect(envelope.note == nil)
    }

    @Test func pagesByLinesWithAOneBasedNextOffset() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("n.txt", (1...10).map { "line \($0)\n" }.joined())
        let first = await fixture.call("read", #"{"path": "n.txt", "limit": 4}"#).envelope
        #expect(first.stdout == "line 1\nline 2\nline 3\nline 4\n")
        #expect(first.nextOffset == 5)
        #expect(first.truncated)
        #expect(first.note?.contains("offset=5") == true)
        let last = await fixture.call("read", #"{"path": "n.txt", "offset": 9, "limit": 4}"#).envelope
        #expect(last.stdout == "line 9\nline 10\n")
        #expect(last.nextOffset == nil)
        let exact = await fixture.call("read", #"{"path": "n.txt", "offset": 7, "limit": 4}"#).envelope
        #expect(exact.stdout == "line 7\nline 8\nline 9\nline 10\n")
        #expect(exact.nextOffset == nil)
        let past = await fixture.call("read", #"{"path": "n.txt", "offset": 11}"#)
        #expect(past.refusal == nil)
        #expect(past.envelope.ok == false)
        #expect(past.envelope.error == "offset 11 is past the end of n.txt, which has 10 lines")
    }

    @Test func stopsAtTheByteLimitOnALineBoundary() async throws {
        let fixture = try await ToolFixture()
        let line = String(repeating: "x", count: 99) + "\n"
        try fixture.write("wide.txt", String(repeating: line, count: 1000))
        let envelope = await fixture.call("read", #"{"path": "wide.txt"}"#).envelope
        #expect(envelope.stdout.utf8.count == 512 * 100)
        #expect(envelope.nextOffset == 513)
        #expect(envelope.note?.contains("50 KiB") == true)
        let next = await fixture.call("read", #"{"path": "wide.txt", "offset": 513}"#).envelope
        #expect(next.stdout.utf8.count == 488 * 100)
        #expect(next.nextOffset == nil)
    }

    @Test func cutsALineLongerThanAPageAndGoesOn() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("long.txt", "é" + String(repeating: "é", count: 40_000) + "\nnext\n")
        let envelope = await fixture.call("read", #"{"path": "long.txt"}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.stdout.utf8.count <= 50 * 1024)
        #expect(envelope.stdout.allSatisfy { $0 == "é" })
        #expect(envelope.nextOffset == 2)
        #expect(envelope.note?.contains("line 1 is longer than 50 KiB") == true)
        let next = await fixture.call("read", #"{"path": "long.txt", "offset": 2}"#).envelope
        #expect(next.stdout == "next\n")
    }

    @Test func theLastPageOfA100MBFileIsQuickAndBounded() async throws {
        let fixture = try await ToolFixture()
        let path = "\(fixture.workspace)/big.txt"
        let line = Array("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456\n".utf8)  // 80 bytes
        let chunk = Array(repeating: line, count: 1 << 14).flatMap { $0 }  // 1.25 MiB
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for _ in 0..<80 { try handle.write(contentsOf: chunk) }
        try handle.close()
        let lines = 80 << 14
        let clock = ContinuousClock()
        let start = clock.now
        let envelope = await fixture.call("read", ["path": "big.txt", "offset": .int(Int64(lines - 99))]).envelope
        let elapsed = clock.now - start
        #expect(envelope.ok)
        #expect(envelope.stdout.utf8.count == 100 * 80)
        #expect(envelope.nextOffset == nil)
        #expect(elapsed < .milliseconds(1500), "the last page of 100 MB took \(elapsed)")
    }

    @Test func refusesBinaryFilesAndFolders() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("image.png", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D])
        let binary = await fixture.call("read", #"{"path": "image.png"}"#)
        #expect(binary.refusal == nil)
        #expect(binary.envelope.ok == false)
        #expect(binary.envelope.error?.contains("binary file (12 bytes)") == true)
        try FileManager.default.createDirectory(atPath: "\(fixture.workspace)/dir", withIntermediateDirectories: true)
        let folder = await fixture.call("read", #"{"path": "dir"}"#).envelope
        #expect(folder.error?.contains("is a folder") == true)
    }

    @Test func showsInvalidUTF8AsReplacementCharacters() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("latin1.txt", bytes: Array("caf".utf8) + [0xE9] + Array("\n".utf8))
        let envelope = await fixture.call("read", #"{"path": "latin1.txt"}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.stdout == "caf\u{FFFD}\n")
        #expect(envelope.note?.contains("not valid UTF-8") == true)
    }

    @Test func anEmptyFileIsEmpty() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("empty.txt", "")
        let envelope = await fixture.call("read", #"{"path": "empty.txt"}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.stdout == "")
        #expect(envelope.note == "empty.txt is empty")
    }

    @Test func keepsCRLFAsItIs() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("dos.txt", "a\r\nb\r\nc\r\n")
        let envelope = await fixture.call("read", #"{"path": "dos.txt", "offset": 2, "limit": 1}"#).envelope
        #expect(envelope.stdout == "b\r\n")
        #expect(envelope.nextOffset == 3)
    }
}
