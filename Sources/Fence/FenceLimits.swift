/// The resource limits of a fenced command, set by `prlimit` inside the fence, after its namespaces are made.
///
/// No capability is left inside the fence, so neither limit can be raised again, by root either.
public struct FenceLimits: Sendable, Equatable {
    /// The largest file the command may write, in bytes (`RLIMIT_FSIZE`, soft and hard): a write past it fails,
    /// with `SIGXFSZ` (or `EFBIG` when that signal is ignored). The kernel applies it to root too.
    public var maxFileBytes: Int?
    /// The most processes of the command (`RLIMIT_NPROC`), counted in a user namespace of the fence's own
    /// (`--unshare-user`), where the kernel (5.14 and later) counts only the fence's processes. It binds only a
    /// user other than root: a fence started by root needs a `PidsCgroup` instead.
    public var maxProcesses: Int?

    public init(maxFileBytes: Int? = nil, maxProcesses: Int? = nil) {
        self.maxFileBytes = maxFileBytes
        self.maxProcesses = maxProcesses
    }

    /// `prlimit` with these limits, running `command`; `command` alone when there are none.
    func applied(to command: [String]) -> [String] {
        var options: [String] = []
        if let bytes = maxFileBytes { options.append("--fsize=\(bytes)") }
        if let count = maxProcesses { options.append("--nproc=\(count)") }
        return options.isEmpty ? command : ["prlimit"] + options + ["--"] + command
    }
}
