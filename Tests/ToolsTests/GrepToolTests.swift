import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

@Suite(.timeLimit(.minutes(1))) struct GrepToolTests {
    @Test func findsRegexMatchesAsPathLineText() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("b.txt", "alpha\nbeta 42\ngamma\n")
        try fixture.write("a/c.txt", "no\nnumber 7 here\n")
        let envelope = await fixture.call("grep", #"{"pattern": "\\d+"}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.exitCode == 0)
        #expect(envelope.stdout == "a/c.txt:2: number 7 here\nb.txt:2: beta 42\n")
        #expect(envelope.note == "")
    }

    @Test func literalIgnoreCaseGlobAndPath() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("x.swift", "let a = f(1)\nLET A = F(1)\n")
        try fixture.write("x.md", "f(1)\n")
        try fixture.write("sub/y.swift", "f(1)\n")
        let literal = await fixture.call("grep", #"{"pattern": "f(1)", "literal": true, "ignore_case": true, "glob": "*.swift"}"#).envelope
        #expect(literal.stdout == "sub/y.swift:1: f(1)\nx.swift:1: let a = f(1)\nx.swift:2: LET A = F(1)\n")
        let inPath = await fixture.call("grep", #"{"pattern": "f\\(1\\)", "path": "sub"}"#).envelope
        #expect(inPath.stdout == "sub/y.swift:1: f(1)\n")
        let oneFile = await fixture.call("grep", #"{"pattern": "F", "path": "x.swift"}"#).envelope
        #expect(oneFile.stdout == "x.swift:2: LET A = F(1)\n")
    }

    @Test func showsContextLines() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "1\n2\nmatch\n4\n5\n6\n7\nmatch\n9\n")
        let envelope = await fixture.call("grep", #"{"pattern": "match", "context": 1}"#).envelope
        #expect(envelope.stdout == "a.txt-2- 2\na.txt:3: match\na.txt-4- 4\n--\na.txt-7- 7\na.txt:8: match\na.txt-9- 9\n")
    }

    @Test func skipsBinaryFilesAndCutsLongLines() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("bin.dat", bytes: Array("needle\n".utf8) + [0, 1, 2] + Array("needle\n".utf8))
        try fixture.write("long.txt", "needle " + String(repeating: "é", count: 2000) + "\n")
        let envelope = await fixture.call("grep", #"{"pattern": "needle"}"#).envelope
        let line = try #require(envelope.stdout.split(separator: "\n").first)
        #expect(envelope.stdout.split(separator: "\n").count == 1)
        #expect(line.hasPrefix("long.txt:1: needle éé"))
        #expect(line.hasSuffix(" [... line cut at 500 characters]"))
        #expect(line.count == "long.txt:1: ".count + 500 + " [... line cut at 500 characters]".count)
        let explicit = await fixture.call("grep", #"{"pattern": "needle", "path": "bin.dat"}"#).envelope
        #expect(explicit.stdout == "")
        #expect(explicit.note?.contains("1 binary file(s) skipped") == true)
    }

    @Test func aBinaryFileFoundAfterAMatchIsDroppedAndANameWithALineBreakIsShownWhole() async throws {
        let fixture = try await ToolFixture()
        // The NUL comes after 100 KB, when ripgrep has already printed the first match of the file.
        try fixture.write(
            "late.bin",
            bytes: Array("needle early\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 100_000) + [0x0A, 0] + Array(" needle\n".utf8))
        try fixture.write("new\nline.txt", "context\nneedle one\nneedle two\n")
        let envelope = await fixture.call("grep", #"{"pattern": "needle", "context": 1}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.stdout == "new\nline.txt-1- context\nnew\nline.txt:2: needle one\nnew\nline.txt:3: needle two\n")
        #expect(envelope.note?.contains("1 binary file(s) skipped") == true, "\(envelope.json)")
    }

    @Test func invalidUTF8LinesAreShownLossily() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("latin1.txt", bytes: Array("caf".utf8) + [0xE9] + Array(" needle\n".utf8))
        let envelope = await fixture.call("grep", #"{"pattern": "needle"}"#).envelope
        #expect(envelope.stdout == "latin1.txt:1: caf\u{FFFD} needle\n")
    }

    @Test func anInvalidRegexIsAToolFailureNotARefusal() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "x\n")
        let result = await fixture.call("grep", #"{"pattern": "(unclosed"}"#)
        #expect(result.refusal == nil)
        #expect(result.envelope.ok == false)
        #expect(result.envelope.exitCode == 2)
        #expect(result.envelope.error?.contains("regex parse error") == true)
    }

    @Test func noMatchesIsNotAnError() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "x\n")
        let envelope = await fixture.call("grep", #"{"pattern": "absent"}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.exitCode == 1)
        #expect(envelope.note == "no matches")
    }

    @Test func theLimitKeepsTheFirstMatchesInPathOrderAndCountsTheRest() async throws {
        let fixture = try await ToolFixture()
        for index in 0..<40 {
            try fixture.write(String(format: "d%02d/f.txt", index), (0..<5).map { "hit \($0)\n" }.joined())
        }
        for _ in 0..<3 {
            let envelope = await fixture.call("grep", #"{"pattern": "hit", "limit": 12}"#).envelope
            let lines = envelope.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 12)
            #expect(lines.first == "d00/f.txt:1: hit 0")
            #expect(lines.last == "d02/f.txt:2: hit 1")
            #expect(envelope.truncated)
            #expect(envelope.note?.contains("showing the first 12 of 200 matching lines in 40 files") == true)
        }
    }

    @Test func respectsGitignoreAndSkipsDotGit() async throws {
        let fixture = try await ToolFixture()
        try fixture.write(".gitignore", "ignored/\n")
        try fixture.write("ignored/a.txt", "secret needle\n")
        try fixture.write(".git/config", "needle\n")
        try fixture.write(".hidden/b.txt", "needle\n")
        let envelope = await fixture.call("grep", #"{"pattern": "needle"}"#).envelope
        #expect(envelope.stdout == ".hidden/b.txt:1: needle\n")
    }
}
