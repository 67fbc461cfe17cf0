import Events

/// The outcome of the trial run at start: the state, the bubblewrap used, and why the sandbox failed when it did.
public struct SandboxStatus: Sendable, Equatable {
    public let state: SandboxState
    /// The bubblewrap executable, when the state is `sandboxed`.
    public let bubblewrap: String?
    /// Why the trial run failed (`nil` when sandboxed).
    public let reason: String?

    public init(state: SandboxState, bubblewrap: String? = nil, reason: String? = nil) {
        self.state = state
        self.bubblewrap = bubblewrap
        self.reason = reason
    }

    /// One line for `/status` and logs: `sandboxed`, or the state and the reason.
    public var summary: String {
        switch state {
        case .sandboxed: "sandboxed (bubblewrap)"
        case .unsandboxedAllowed: "unsandboxed-allowed: no sandbox (\(reason ?? "unknown reason")), AGENT_ALLOW_UNSANDBOXED_EXEC=1"
        case .execDisabled:
            "exec-disabled: no sandbox (\(reason ?? "unknown reason")); set AGENT_ALLOW_UNSANDBOXED_EXEC=1 to run commands without one"
        }
    }

    /// The fields to add to `process.started`: `{"sandbox": state, "sandbox_reason": reason}`.
    public var payload: JSONObject {
        ["sandbox": .string(state.rawValue), "sandbox_reason": JSONValue(reason)]
    }
}
