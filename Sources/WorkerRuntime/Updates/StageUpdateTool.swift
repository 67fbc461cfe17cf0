import Events
import Tools

/// `stage_update` (SPEC section 7, tier `exec`): the agent asks for a stage of its own workspace. The stage runs
/// beside the chat; its result goes to the admins with Approve / Reject buttons. Only an admin approves.
struct StageUpdateTool: Tool {
    struct Input: ToolInput {
        let reason: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case reason
        }

        static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField {
            switch key {
            case .reason: ToolField("Why the change should be deployed: what it changes and how it was checked (shown to the admins).")
            }
        }
    }

    let name = "stage_update"
    let description = """
        Ask for a staging run of your workspace: everything you changed (new and binary files included) is built \
        in release mode, tested and self-checked; the admins then get the result with Approve / Reject buttons. \
        Only an admin can approve; nothing is deployed before. Returns at once; the stage takes minutes.
        """
    let tier = ToolTier.exec
    let launcher: StageLauncher

    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        guard launcher.request(StageLauncher.Request(requestedBy: "agent", reason: input.reason)) else {
            return .failure("a stage is already running; the admins get its result when it ends", exitCode: 1)
        }
        return .success("Staging started. The admins will get the result (diffstat, test counts) with Approve / Reject buttons.")
    }
}

/// The worker's tools: the seven built-in ones and `stage_update`.
public enum WorkerTools {
    /// Every tool name the worker knows (the default of `AGENT_TOOLS`).
    public static let names = ToolRegistry.builtinNames + ["stage_update"]

    /// The registry of the agent loop.
    public static func registry(policy: ToolPolicy, sandbox: SandboxStatus, stages: StageLauncher) -> ToolRegistry {
        ToolRegistry(
            policy: policy, sandbox: sandbox,
            tools: ToolRegistry.builtins(limits: policy.limits) + [AnyTool(StageUpdateTool(launcher: stages), limits: policy.limits)])
    }
}
