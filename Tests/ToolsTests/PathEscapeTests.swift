import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

/// Paths that climb out of a missing folder into a symlink (`nope/../link/...`), for every file tool, with links to
/// `AGENT_HOME`, `/etc` and `/proc/self`: through the registry and through `agent-worker tool` (issue 8, item 1).
@Suite(.timeLimit(.minutes(2))) struct PathEscapeTests {
    /// One call that must be refused, and the file outside that it must not have changed or created.
    struct Case: Sendable, CustomTestStringConvertible {
        let tool: String
        let arguments: JSONObject
        /// A file outside the workspace the call must not create (`{home}` is replaced by the fixture's home).
        var mustNotCreate: String?
        var testDescription: String { "\(tool) \(arguments["path"]?.stringValue ?? "")" }
    }

    static let unique = UUID().uuidString.prefix(8)

    static let cases: [Case] = [
        Case(tool: "read", arguments: ["path": "nope/../h/AGENT.md"]),
        Case(tool: "read", arguments: ["path": "nope/../e/hostname"]),
        Case(tool: "read", arguments: ["path": "nope/../p/environ"]),
        Case(tool: "read", arguments: ["path": "nope/../p/root/etc/hostname"]),
        Case(tool: "read", arguments: ["path": "a/b/nope/../../../h/agent.db"]),
        Case(tool: "ls", arguments: ["path": "nope/../h"]),
        Case(tool: "ls", arguments: ["path": "nope/../e"]),
        Case(tool: "ls", arguments: ["path": "nope/../p"]),
        Case(tool: "find", arguments: ["pattern": "*", "path": "nope/../h"]),
        Case(tool: "find", arguments: ["pattern": "*", "path": "nope/../e"]),
        Case(tool: "find", arguments: ["pattern": "*", "path": "nope/../p/root/etc"]),
        Case(tool: "grep", arguments: ["pattern": ".", "path": "nope/../h"]),
        Case(tool: "grep", arguments: ["pattern": ".", "path": "nope/../e/hostname"]),
        Case(tool: "grep", arguments: ["pattern": ".", "path": "nope/../p/root/etc/hostname"]),
        Case(tool: "write", arguments: ["path": "nope/../h/AGENT.md", "content": "pwned"]),
        Case(
            tool: "write", arguments: ["path": .string("nope/../h/new-\(unique)"), "content": "pwned"],
            mustNotCreate: "{home}/new-\(unique)"),
        Case(
            tool: "write", arguments: ["path": .string("nope/../e/agent-escape-\(unique)"), "content": "pwned"],
            mustNotCreate: "/etc/agent-escape-\(unique)"),
        Case(
            tool: "write", arguments: ["path": .string("nope/../p/root/tmp/agent-escape-\(unique)"), "content": "pwned"],
            mustNotCreate: "/tmp/agent-escape-\(unique)"),
        Case(tool: "edit", arguments: ["path": "nope/../h/AGENT.md", "old_text": "the home's secret", "new_text": "pwned"]),
        Case(tool: "edit", arguments: ["path": "nope/../e/hostname", "old_text": "text that is never there", "new_text": "x"]),
        Case(tool: "edit", arguments: ["path": "nope/../p/root/etc/hostname", "old_text": "text that is never there", "new_text": "x"]),
    ]

    static let secret = "the home's secret"

    private func fixture() async throws -> ToolFixture {
        let fixture = try await ToolFixture()
        try Data(Self.secret.utf8).write(to: URL(fileURLWithPath: "\(fixture.home)/AGENT.md"))
        try FileManager.default.createDirectory(atPath: "\(fixture.workspace)/a/b", withIntermediateDirectories: true)
        try fixture.symlink("h", to: fixture.home)
        try fixture.symlink("e", to: "/etc")
        try fixture.symlink("p", to: "/proc/self")
        return fixture
    }

    private func expectNothingLeaked(_ envelope: ToolEnvelope, _ fixture: ToolFixture, _ call: Case) throws {
        #expect(envelope.ok == false, "\(call)")
        #expect(!envelope.stdout.contains(Self.secret))
        #expect(try String(contentsOfFile: "\(fixture.home)/AGENT.md", encoding: .utf8) == Self.secret)
        if let path = call.mustNotCreate?.replacingOccurrences(of: "{home}", with: fixture.home) {
            #expect(!FileManager.default.fileExists(atPath: path), "\(call) created \(path)")
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    @Test("refused through the registry", arguments: cases)
    func throughTheRegistry(_ call: Case) async throws {
        let fixture = try await fixture()
        let result = await fixture.call(call.tool, call.arguments)
        #expect(result.wasRefused, "\(call): \(result.envelope.json)")
        #expect(
            [.outsideWorkspace, .protectedPath].contains(result.refusal?.code), "\(call): \(result.envelope.error ?? "")")
        try expectNothingLeaked(result.envelope, fixture, call)
    }

    @Test("refused by agent-worker tool, which exits 2", arguments: cases)
    func throughTheCommand(_ call: Case) async throws {
        let fixture = try await fixture()
        let arguments = String(decoding: try JSONEncoder().encode(JSONValue.object(call.arguments)), as: UTF8.self)
        let run = try await WorkerProcess.run(fixture, ["tool", call.tool, arguments])
        #expect(run.status == .exited(2), "\(call): \(run.standardOutput) \(run.standardError)")
        let value = try JSONValue(parsing: run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(value["ok"] == false)
        #expect(!run.standardOutput.contains(Self.secret))
        #expect(try String(contentsOfFile: "\(fixture.home)/AGENT.md", encoding: .utf8) == Self.secret)
        if let path = call.mustNotCreate?.replacingOccurrences(of: "{home}", with: fixture.home) {
            #expect(!FileManager.default.fileExists(atPath: path), "\(call) created \(path)")
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    @Test("a folder swapped for a symlink after the check is refused when opened, never followed")
    func noGapBetweenCheckAndOpen() async throws {
        let fixture = try await fixture()
        try fixture.write("sub/AGENT.md", "inside")
        let policy = fixture.registry.policy
        let checked = try policy.resolve("sub/AGENT.md")
        let folder = try policy.resolve("sub")
        try FileManager.default.removeItem(atPath: "\(fixture.workspace)/sub")
        try fixture.symlink("sub", to: fixture.home)
        #expect(throws: ToolsError.self) {
            try AnchoredOpen.withDescriptor(checked, in: policy, flags: O_RDONLY) { _ in }
        }
        #expect(throws: ToolsError.self) {
            try AtomicFile.write(Array("pwned".utf8), to: checked, policy: policy)
        }
        #expect(throws: ToolsError.self) {
            try AnchoredOpen.withDescriptor(folder, in: policy, flags: O_RDONLY | O_DIRECTORY) { _ in }
        }
        #expect(try String(contentsOfFile: "\(fixture.home)/AGENT.md", encoding: .utf8) == Self.secret)
    }
}
