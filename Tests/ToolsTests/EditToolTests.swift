import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

@Suite(.timeLimit(.minutes(1))) struct EditToolTests {
    @Test func replacesTheOneExactMatch() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.swift", "let a = 1\nlet b = 2\nlet c = 3\n")
        let envelope = await fixture.call("edit", ["path": "a.swift", "old_text": "let b = 2\n", "new_text": "let b = 20\nlet bb = 21\n"])
            .envelope
        #expect(envelope.ok)
        #expect(envelope.stdout.contains("edited a.swift at line 2"))
        #expect(try fixture.text("a.swift") == "let a = 1\nlet b = 20\nlet bb = 21\nlet c = 3\n")
    }

    @Test func zeroMatchesIsAPreciseError() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.swift", "func f() {\n    return 1\n}\n")
        let result = await fixture.call("edit", ["path": "a.swift", "old_text": "return 1\n  }", "new_text": "x"])
        #expect(result.refusal == nil)
        #expect(result.envelope.ok == false)
        #expect(result.envelope.exitCode == 1)
        let error = try #require(result.envelope.error)
        #expect(error.contains("old_text was not found in a.swift"))
        #expect(error.contains("appears at line 2"))
        #expect(try fixture.text("a.swift") == "func f() {\n    return 1\n}\n")
    }

    @Test func severalMatchesIsAPreciseError() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "x = 1\ny = 2\nx = 1\n")
        let envelope = await fixture.call("edit", ["path": "a.txt", "old_text": "x = 1", "new_text": "x = 3"]).envelope
        #expect(envelope.ok == false)
        #expect(
            envelope.error
                == "old_text occurs 2 times in a.txt (at lines 1, 3); include more of the surrounding lines so that it occurs exactly once")
        #expect(try fixture.text("a.txt") == "x = 1\ny = 2\nx = 1\n")
    }

    @Test func keepsCRLFLineEndings() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("dos.txt", "one\r\ntwo\r\nthree\r\n")
        let envelope = await fixture.call("edit", ["path": "dos.txt", "old_text": "two\nthree", "new_text": "2\n3"]).envelope
        #expect(envelope.ok, "\(envelope.error ?? "")")
        #expect(try fixture.bytes("dos.txt") == Array("one\r\n2\r\n3\r\n".utf8))
    }

    @Test func keepsTheByteOrderMarkAndInvalidBytesElsewhere() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("bom.txt", bytes: [0xEF, 0xBB, 0xBF] + Array("hello world\n".utf8) + [0xFF, 0x0A])
        let envelope = await fixture.call("edit", ["path": "bom.txt", "old_text": "hello", "new_text": "goodbye"]).envelope
        #expect(envelope.ok)
        #expect(try fixture.bytes("bom.txt") == [0xEF, 0xBB, 0xBF] + Array("goodbye world\n".utf8) + [0xFF, 0x0A])
    }

    @Test func refusesEmptyOldTextMissingFilesAndBinaryFiles() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "a")
        let empty = await fixture.call("edit", ["path": "a.txt", "old_text": "", "new_text": "b"]).envelope
        #expect(empty.error?.contains("old_text is empty") == true)
        let missing = await fixture.call("edit", ["path": "nope.txt", "old_text": "a", "new_text": "b"]).envelope
        #expect(missing.error?.contains("does not exist") == true)
        try fixture.write("b.bin", bytes: [0x61, 0x00, 0x62])
        let binary = await fixture.call("edit", ["path": "b.bin", "old_text": "a", "new_text": "c"]).envelope
        #expect(binary.error?.contains("binary") == true)
        let outside = await fixture.call("edit", ["path": "../home/agent.db", "old_text": "not", "new_text": "yes"])
        #expect(outside.refusal?.code == .protectedPath)
    }
}
