import Events

/// The outcome of the trial run at start: the state, the bubblewrap used, which limits hold, and why the sandbox
/// failed when it did.
public struct SandboxStatus: Sendable, Equatable {
    public let state: SandboxState
    /// The bubblewrap executable, when the state is `sandboxed`.
    public let bubblewrap: String?
    /// Why the trial run failed (`nil` when sandboxed).
    public let reason: String?
    /// The limits of commands and how they hold, when the state is `sandboxed`.
    public let limits: SandboxLimits?

    public init(state: SandboxState, bubblewrap: String? = nil, reason: String? = nil, limits: SandboxLimits? = nil) {
        self.state = state
        self.bubblewrap = bubblewrap
        self.reason = reason
        self.limits = limits
    }

    /// One line for `/status` and logs: `sandboxed` and which limits hold, or the state and the reason.
    public var summary: String {
        switch state {
        case .sandboxed: "sandboxed (bubblewrap)" + (limits.map { "; \($0.summary)" } ?? "")
        case .unsandboxedAllowed: "unsandboxed-allowed: no sandbox (\(reason ?? "unknown reason")), AGENT_ALLOW_UNSANDBOXED_EXEC=1"
        case .execDisabled:
            "exec-disabled: no sandbox (\(reason ?? "unknown reason")); set AGENT_ALLOW_UNSANDBOXED_EXEC=1 to run commands without one"
        }
    }

    /// The fields to add to `process.started`: `{"sandbox": state, "sandbox_reason": reason}`, and
    /// `sandbox_limits` when sandboxed.
    public var payload: JSONObject {
        var fields: JSONObject = ["sandbox": .string(state.rawValue), "sandbox_reason": JSONValue(reason)]
        if let limits { fields["sandbox_limits"] = limits.payload }
        return fields
    }
}
