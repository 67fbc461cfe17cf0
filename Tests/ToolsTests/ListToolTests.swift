import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

@Suite(.timeLimit(.minutes(1))) struct ListToolTests {
    @Test func listsSortedWithSlashesAfterFolders() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("b.txt", "")
        try fixture.write("a/x.txt", "")
        try fixture.write(".hidden", "")
        try fixture.write("C.md", "")
        try fixture.symlink("link", to: "a/x.txt")
        let envelope = await fixture.call("ls", "{}").envelope
        #expect(envelope.ok)
        #expect(envelope.stdout == ".hidden\nC.md\na/\nb.txt\nlink -> a/x.txt\n")
        let inner = await fixture.call("ls", #"{"path": "a"}"#).envelope
        #expect(inner.stdout == "x.txt\n")
    }

    @Test func saysHowManyMoreThereAre() async throws {
        let fixture = try await ToolFixture()
        for index in 0..<30 { try fixture.write(String(format: "f%02d", index), "") }
        let envelope = await fixture.call("ls", #"{"limit": 10}"#).envelope
        #expect(envelope.stdout.split(separator: "\n").count == 10)
        #expect(envelope.truncated)
        #expect(envelope.note?.contains("showing 10 of 30 entries (20 more not shown)") == true)
    }

    @Test func emptyMissingAndFile() async throws {
        let fixture = try await ToolFixture()
        try FileManager.default.createDirectory(atPath: "\(fixture.workspace)/empty", withIntermediateDirectories: true)
        #expect(await fixture.call("ls", #"{"path": "empty"}"#).envelope.note == "empty is empty")
        #expect(await fixture.call("ls", #"{"path": "missing"}"#).envelope.error?.contains("no such") == true)
        try fixture.write("f.txt", "")
        #expect(await fixture.call("ls", #"{"path": "f.txt"}"#).envelope.error?.contains("use read") == true)
    }
}

@Suite(.timeLimit(.minutes(1))) struct FindToolTests {
    @Test func findsByNameAtAnyDepthSkippingGitAndBuild() async throws {
        let fixture = try await ToolFixture()
        for path in [
            "a.swift", "Sources/B.swift", "Sources/deep/C.swift", "README.md", ".git/x.swift", ".build/y.swift", "sub/.build/z.swift",
        ] {
            try fixture.write(path, "")
        }
        let envelope = await fixture.call("find", #"{"pattern": "*.swift"}"#).envelope
        #expect(envelope.ok)
        #expect(envelope.stdout == "Sources/B.swift\nSources/deep/C.swift\na.swift\n")
    }

    @Test func matchesPathsWithSlashesAndDoubleStars() async throws {
        let fixture = try await ToolFixture()
        for path in ["Sources/A/a.swift", "Sources/A/b/c.swift", "Tests/t.swift", "Sources/x.md"] { try fixture.write(path, "") }
        #expect(
            await fixture.call("find", #"{"pattern": "Sources/**/*.swift"}"#).envelope.stdout == "Sources/A/a.swift\nSources/A/b/c.swift\n")
        #expect(await fixture.call("find", #"{"pattern": "*/*.swift"}"#).envelope.stdout == "Tests/t.swift\n")
        #expect(
            await fixture.call("find", #"{"pattern": "*.swift", "path": "Sources/A"}"#).envelope.stdout
                == "Sources/A/a.swift\nSources/A/b/c.swift\n")
        #expect(await fixture.call("find", #"{"pattern": "b/*", "path": "Sources/A"}"#).envelope.stdout == "Sources/A/b/c.swift\n")
        #expect(await fixture.call("find", #"{"pattern": "A"}"#).envelope.stdout == "Sources/A/\n")
    }

    @Test func saysHowManyMoreThereAreAndWhenNothingMatches() async throws {
        let fixture = try await ToolFixture()
        for index in 0..<25 { try fixture.write("d/f\(index).txt", "") }
        let envelope = await fixture.call("find", #"{"pattern": "*.txt", "limit": 5}"#).envelope
        #expect(envelope.stdout.split(separator: "\n").count == 5)
        #expect(envelope.truncated)
        #expect(envelope.note?.contains("showing 5 of 25 matches (20 more not shown)") == true)
        let none = await fixture.call("find", #"{"pattern": "*.rs"}"#).envelope
        #expect(none.ok)
        #expect(none.stdout == "")
        #expect(none.note?.contains("nothing below . matches *.rs") == true)
    }

    @Test func doesNotFollowSymlinksOutOfTheWorkspace() async throws {
        let fixture = try await ToolFixture()
        try fixture.symlink("etc", to: "/etc")
        try fixture.symlink("home", to: fixture.home)
        let envelope = await fixture.call("find", #"{"pattern": "*"}"#).envelope
        #expect(envelope.stdout == "etc\nhome\n")
        let refused = await fixture.call("find", #"{"pattern": "*", "path": "etc"}"#)
        #expect(refused.refusal?.code == .outsideWorkspace)
    }
}
