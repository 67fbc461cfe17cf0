import Fence

/// Whether bubblewrap can make a fence on this machine. Inside a stage's own test step (already fenced, with every
/// capability dropped) it cannot: there the tests of the fence skip, and the tests that stage run their steps
/// unfenced, as an operator's `AGENT_ALLOW_UNSANDBOXED_EXEC=1` allows.
public enum FenceCheck {
    /// A trial run of an empty fence.
    public static func works() async -> Bool {
        if case .success = await Fence.trial(FenceLayout(workingDirectory: "/"), environment: TestEnvironment.make()) { return true }
        return false
    }

    /// What a test's `agent-build stage` adds to its environment: nothing where the fence works, else
    /// `AGENT_ALLOW_UNSANDBOXED_EXEC=1`.
    public static func stageEnvironment() async -> [String: String] {
        await works() ? [:] : ["AGENT_ALLOW_UNSANDBOXED_EXEC": "1"]
    }
}
