import ArgumentParser
import Events
import Foundation
import Settings
import Tools
import WorkerRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// `agent-worker tool NAME 'JSON'`: one tool call by hand, exactly as the agent would make it.
struct ToolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tool",
        abstract: "Run one tool as the agent would, under the policy from the environment, and print its envelope.",
        discussion: """
            Exit status: 0 when the tool ran (even if ok is false), 2 when the policy or the schema refused the \
            call (the reason is in the envelope), 1 when the environment is misconfigured. See docs/tools.md.
            """)

    @Flag(help: "List every tool with its tier, whether this policy allows it, and its JSON Schema.")
    var list = false

    @Argument(help: "The tool: ls, find, grep, read, write, edit, bash (stage_update runs only inside the worker).")
    var name: String?

    @Argument(help: "The arguments, one JSON object; - reads it from standard input.")
    var arguments = "{}"

    func validate() throws {
        if !list && name == nil { throw ValidationError("name the tool to run, or pass --list") }
    }

    func run() async throws {
        let policy: ToolPolicy
        do {
            // The worker's names, so that the environment the worker accepts is accepted here too.
            policy = try ToolPolicy(environment: EnvironmentReader(), knownTools: WorkerTools.names)
        } catch {
            FileHandle.standardError.write(Data("agent-worker: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let tools = ToolRegistry.builtins(limits: policy.limits)
        // The trial run is only needed for exec tools, for the list, and for an unknown name (whose refusal lists the
        // tools this policy allows, bash included when the sandbox works).
        let chosen = tools.first { $0.name == name }
        let needsSandbox = list || chosen == nil || chosen?.tier == .exec
        let sandbox =
            needsSandbox
            ? await BashSandbox.probe(policy: policy) : SandboxStatus(state: .execDisabled, reason: "not probed for this call")
        let registry = ToolRegistry(policy: policy, sandbox: sandbox, tools: tools)
        if list {
            print(Self.listing(registry).serialized)
            return
        }
        if name == "stage_update" {
            let message = "stage_update runs only inside the worker, which stages through its database: use agent-build stage"
            print(ToolEnvelope.failure(message, exitCode: nil).json)
            throw ExitCode(2)
        }
        let text = arguments == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : arguments
        let result = await registry.call(name ?? "", arguments: text)
        print(result.envelope.json)
        if result.wasRefused { throw ExitCode(2) }
    }

    private static func listing(_ registry: ToolRegistry) -> JSONValue {
        let tools: [JSONValue] = registry.tools.map { tool in
            let refusal = registry.refusal(for: tool)
            return [
                "name": .string(tool.name), "tier": .string(tool.tier.rawValue), "description": .string(tool.description),
                "allowed": .bool(refusal == nil), "refusal": JSONValue(refusal?.message), "parameters": tool.schema.json,
            ]
        }
        return [
            "workspace": .string(registry.policy.workspace), "sandbox": .string(registry.sandbox.state.rawValue),
            "sandbox_reason": JSONValue(registry.sandbox.reason), "sandbox_limits": registry.sandbox.limits?.payload ?? .null,
            "tools": .array(tools),
        ]
    }
}
