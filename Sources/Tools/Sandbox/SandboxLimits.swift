import Events
import Fence

/// The limits of `bash` commands (`AGENT_BASH_MAX_FILE_MB`, `AGENT_BASH_MAX_PROCS`) and how each holds on this
/// machine, as the trial run at start found.
public struct SandboxLimits: Sendable, Equatable {
    /// How the process count is held.
    public enum ProcessCount: Sendable, Equatable {
        /// A pids cgroup per command, made under this folder (`PidsCgroup`).
        case cgroup(parent: String)
        /// `RLIMIT_NPROC` in a user namespace of the fence's own: the worker is not root.
        case userNamespace
        /// Not held, and why.
        case notEnforced(reason: String)
    }

    public let maxFileMB: Int
    public let maxProcesses: Int
    public let processCount: ProcessCount

    public init(maxFileMB: Int, maxProcesses: Int, processCount: ProcessCount) {
        self.maxFileMB = maxFileMB
        self.maxProcesses = maxProcesses
        self.processCount = processCount
    }

    /// What the fence itself applies: the file size always, the process count in the user-namespace case.
    var fenceLimits: FenceLimits {
        let processes: Int? = if case .userNamespace = processCount { maxProcesses } else { nil }
        return FenceLimits(maxFileBytes: maxFileMB << 20, maxProcesses: processes)
    }

    /// How the file size holds: `enforced (RLIMIT_FSIZE)`.
    public var maxFileHolds: String { "enforced (RLIMIT_FSIZE)" }

    /// How the process count holds: `enforced (cgroup pids.max)`, `enforced (user namespace)` or `not enforced: ...`.
    public var maxProcessesHolds: String {
        switch processCount {
        case .cgroup: "enforced (cgroup pids.max)"
        case .userNamespace: "enforced (user namespace)"
        case .notEnforced(let reason): "not enforced: \(reason)"
        }
    }

    /// One line for `/status`: `max_file_mb 1024: enforced (RLIMIT_FSIZE); max_procs 256: enforced (...)`.
    public var summary: String {
        "max_file_mb \(maxFileMB): \(maxFileHolds); max_procs \(maxProcesses): \(maxProcessesHolds)"
    }

    /// The value of `sandbox_limits` in `process.started`.
    public var payload: JSONValue {
        [
            "max_file_mb": .int(Int64(maxFileMB)), "max_file_mb_holds": .string(maxFileHolds),
            "max_procs": .int(Int64(maxProcesses)), "max_procs_holds": .string(maxProcessesHolds),
        ]
    }
}
