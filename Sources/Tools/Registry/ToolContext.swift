/// What a tool runs with: the policy and the state of the sandbox.
public struct ToolContext: Sendable {
    public let policy: ToolPolicy
    public let sandbox: SandboxStatus

    public init(policy: ToolPolicy, sandbox: SandboxStatus) {
        self.policy = policy
        self.sandbox = sandbox
    }
}
