import Events
import Foundation
import Settings
import TestSupport
import Tools

/// A workspace and an `AGENT_HOME` side by side in a temporary folder, and a registry over them.
final class ToolFixture: Sendable {
    let directory: TemporaryDirectory
    /// The workspace root (symlinks resolved).
    let workspace: String
    /// `AGENT_HOME`, with a database file in it.
    let home: String
    let registry: ToolRegistry

    /// - Parameters:
    ///   - sandboxed: probe bubblewrap (for `bash`); otherwise the exec tier is off.
    ///   - environment: the worker's environment, as the policy reads it (`AGENT_WORKSPACE` and `AGENT_HOME` are
    ///     set to the fixture's folders unless given).
    init(sandboxed: Bool = false, environment: [String: String] = [:]) async throws {
        directory = TemporaryDirectory(prefix: "tools-test")
        let base = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path
        workspace = "\(base)/workspace"
        home = "\(base)/home"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try Data("not a real database".utf8).write(to: URL(fileURLWithPath: "\(home)/agent.db"))
        var values = TestEnvironment.make(["AGENT_WORKSPACE": workspace, "AGENT_HOME": home])
        values.merge(environment) { _, new in new }
        let policy = try ToolPolicy(environment: EnvironmentReader(values))
        let sandbox =
            sandboxed ? await BashSandbox.probe(policy: policy) : SandboxStatus(state: .execDisabled, reason: "not probed in this test")
        registry = ToolRegistry(policy: policy, sandbox: sandbox)
    }

    /// Calls `tool` with `arguments` (JSON text).
    func call(_ tool: String, _ arguments: String) async -> ToolCallResult {
        await registry.call(tool, arguments: arguments)
    }

    /// Calls `tool` with `arguments` given as a JSON value (strings are escaped for us).
    func call(_ tool: String, _ arguments: JSONObject) async -> ToolCallResult {
        await registry.call(tool, arguments: .object(arguments))
    }

    /// Writes a file of the workspace, creating its folders.
    func write(_ path: String, _ content: String) throws {
        try write(path, bytes: Array(content.utf8))
    }

    func write(_ path: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: "\(workspace)/\(path)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// The bytes of a file of the workspace.
    func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: "\(workspace)/\(path)")))
    }

    /// The text of a file of the workspace.
    func text(_ path: String) throws -> String {
        String(decoding: try bytes(path), as: UTF8.self)
    }

    /// Makes a symlink at `path` (in the workspace) pointing to `target`.
    func symlink(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: "\(workspace)/\(path)", withDestinationPath: target)
    }
}

/// Whether bubblewrap works on this machine (the bash tests need it).
enum SandboxCheck {
    static func works() async -> Bool {
        guard let fixture = try? await ToolFixture(sandboxed: true) else { return false }
        return fixture.registry.sandbox.state == .sandboxed
    }
}
