import Events
import Foundation

/// The tools the agent may call, under one policy: their definitions for the model, and the one way to run a call.
///
/// Every call goes the same way: the tool must exist, be on the allowlist, have an allowed tier (and for `exec`, a
/// sandbox or the operator's consent to run without one); its arguments must pass the schema; then it runs and
/// its result is one `ToolEnvelope`, with `duration_ms` filled in.
public struct ToolRegistry: Sendable {
    public let policy: ToolPolicy
    public let sandbox: SandboxStatus
    /// Every registered tool, allowed or not, in the order they are listed to the model.
    public let tools: [AnyTool]

    /// The names of the built-in tools. `stage_update` (SPEC section 7) belongs to the self-update pipeline and is
    /// registered there.
    public static let builtinNames = ["ls", "find", "grep", "read", "write", "edit", "bash"]

    /// - Parameter tools: the tools to offer; the seven built-in ones when `nil`.
    public init(policy: ToolPolicy, sandbox: SandboxStatus, tools: [AnyTool]? = nil) {
        self.policy = policy
        self.sandbox = sandbox
        self.tools = tools ?? Self.builtins(limits: policy.limits)
    }

    /// The seven built-in tools, their schemas generated with `limits`.
    public static func builtins(limits: ToolLimits) -> [AnyTool] {
        [
            AnyTool(ListTool(), limits: limits), AnyTool(FindTool(), limits: limits), AnyTool(GrepTool(), limits: limits),
            AnyTool(ReadTool(), limits: limits), AnyTool(WriteTool(), limits: limits), AnyTool(EditTool(), limits: limits),
            AnyTool(BashTool(), limits: limits),
        ]
    }

    /// The tool called `name`, allowed or not.
    public func tool(named name: String) -> AnyTool? {
        tools.first { $0.name == name }
    }

    /// Why the policy refuses every call of `tool`, or `nil` when it may be called.
    public func refusal(for tool: AnyTool) -> ToolsError? {
        if !policy.allowedTools.contains(tool.name) {
            return ToolsError(.toolNotAllowed, "the tool \(tool.name) is not on this agent's allowlist (AGENT_TOOLS)")
        }
        if !policy.allowedTiers.contains(tool.tier) {
            return ToolsError(.tierNotAllowed, "the \(tool.tier.rawValue) tier of \(tool.name) is not allowed (AGENT_TOOL_TIERS)")
        }
        if tool.tier == .exec && sandbox.state == .execDisabled {
            return ToolsError(.execDisabled, "running commands is off: \(sandbox.summary)")
        }
        return nil
    }

    /// The tools the model may call, with their schemas, in listing order.
    public var definitions: [ToolDefinition] {
        tools.filter { refusal(for: $0) == nil }.map(\.definition)
    }

    /// Runs a call whose arguments are JSON text (as the model sends them; empty text counts as `{}`).
    public func call(_ name: String, arguments: String) async -> ToolCallResult {
        let trimmed = arguments.trimmingCharacters(in: .whitespacesAndNewlines)
        let parsed: JSONValue
        do {
            parsed = trimmed.isEmpty ? .object([:]) : try JSONValue(parsing: trimmed)
        } catch {
            return Self.refused(
                ToolsError(
                    .invalidArguments, "\(name): the arguments are not valid JSON; send one JSON object, like {\"path\": \"README.md\"}"))
        }
        return await call(name, arguments: parsed)
    }

    /// Runs a call: checks the policy and the schema, then the tool.
    public func call(_ name: String, arguments: JSONValue) async -> ToolCallResult {
        let clock = ContinuousClock()
        let start = clock.now
        guard let tool = tool(named: name) else {
            return Self.refused(
                ToolsError(
                    .unknownTool, "there is no tool called \"\(name)\"; the tools are \(definitions.map(\.name).joined(separator: ", "))"))
        }
        if let refusal = refusal(for: tool) { return Self.refused(refusal) }
        var result: ToolCallResult
        do {
            result = ToolCallResult(envelope: try await tool.run(arguments, context: ToolContext(policy: policy, sandbox: sandbox)))
        } catch  where error.isRefusal {
            result = Self.refused(error)
        } catch {
            result = ToolCallResult(envelope: .failure(error.message, exitCode: 1))
        }
        result.envelope.durationMs = Self.milliseconds(clock.now - start)
        return result
    }

    static func refused(_ error: ToolsError) -> ToolCallResult {
        ToolCallResult(envelope: .failure(error.message, exitCode: nil), refusal: error)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
