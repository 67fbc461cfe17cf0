/// Whether `bash` runs in the sandbox, runs without it by the operator's leave, or does not run at all.
public enum SandboxState: String, Sendable, Equatable, CaseIterable {
    /// The trial run of bubblewrap worked: commands run sandboxed.
    case sandboxed
    /// No sandbox works, and `AGENT_ALLOW_UNSANDBOXED_EXEC=1`: commands run without one.
    case unsandboxedAllowed = "unsandboxed-allowed"
    /// No sandbox works: the `exec` tier is off.
    case execDisabled = "exec-disabled"
}
