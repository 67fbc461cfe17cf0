import Fence
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How `bash` is fenced (the `Fence` target): the layout its policy asks for, and the trial run at start.
///
/// The layout: the workspace writable, `AGENT_HOME` and the homes of the machine's users hidden under empty
/// folders, `HOME` a fresh empty folder inside the fence, the database files (and the worker's own `.env`)
/// replaced by empty ones, no network unless the `network` tier is allowed.
public enum BashSandbox {
    /// The `HOME` of commands: an empty folder in the fence's private `/tmp`, gone when the command ends.
    public static let scratchHome = "/tmp/home"

    /// The fence layout of `bash` commands under `policy`, with `limits` as the fence applies them.
    public static func layout(_ policy: ToolPolicy, limits: SandboxLimits? = nil) -> FenceLayout {
        let ownEnvironmentFile = FileManager.default.currentDirectoryPath + "/.env"
        let files = (policy.databaseFiles + [ownEnvironmentFile]).filter { !PathWalker.contains(policy.workspace, $0) }
        return FenceLayout(
            hiddenFolders: [policy.home] + userHomes(environment: policy.commandEnvironment), hiddenFiles: files,
            mounts: [FenceLayout.Mount(source: policy.workspace, writable: true)],
            network: policy.allowedTiers.contains(.network), workingDirectory: policy.workspace, scratchHome: scratchHome,
            limits: limits?.fenceLimits ?? FenceLimits())
    }

    /// The homes hidden from commands, where dotfiles such as `.ssh`, `.netrc`, `.aws` and `.config` live: the
    /// worker's `HOME`, its user's home in the password database, `/root` and every folder in `/home`. A home that
    /// holds the workspace is hidden too: the workspace is mounted again inside the empty folder.
    static func userHomes(environment: [String: String]) -> [String] {
        var homes = ["/root"]
        if let home = environment["HOME"] { homes.append(home) }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { homes.append(String(cString: directory)) }
        let users = (try? FileManager.default.contentsOfDirectory(atPath: "/home")) ?? []
        homes += users.sorted().map { "/home/\($0)" }
        var unique: [String] = []
        for home in homes.map({ (try? PathWalker.resolve($0, from: "/").path) ?? $0 }) where home != "/" && !unique.contains(home) {
            unique.append(home)
        }
        return unique
    }

    /// The trial run: `bwrap ... bash -c true` with the real layout and limits. Decides the state of the `exec`
    /// tier, and how the process count holds: a pids cgroup where one can be made, else, for a worker that is not
    /// root, a user namespace of the fence's own (when its trial passes too), else not at all.
    public static func probe(policy: ToolPolicy, timeout: Duration = .seconds(10)) async -> SandboxStatus {
        var processCount: SandboxLimits.ProcessCount
        switch await PidsCgroup.parent() {
        case .success(let parent):
            processCount = .cgroup(parent: parent)
        case .failure(let failure) where getuid() == 0:
            processCount = .notEnforced(reason: "root is not bound by RLIMIT_NPROC and \(failure.message)")
        case .failure:
            processCount = .userNamespace
        }
        var limits = SandboxLimits(
            maxFileMB: policy.limits.bashMaxFileMB, maxProcesses: policy.limits.bashMaxProcesses, processCount: processCount)
        var trial = await trial(policy, limits: limits, timeout: timeout)
        if case .failure(let failure) = trial, processCount == .userNamespace {
            processCount = .notEnforced(reason: "no pids cgroup can be made and a user namespace failed its trial: \(failure.message)")
            limits = SandboxLimits(maxFileMB: limits.maxFileMB, maxProcesses: limits.maxProcesses, processCount: processCount)
            trial = await self.trial(policy, limits: limits, timeout: timeout)
        }
        switch trial {
        case .success(let fence):
            return SandboxStatus(state: .sandboxed, bubblewrap: fence.bubblewrap, limits: limits)
        case .failure(let failure):
            return SandboxStatus(state: policy.allowUnsandboxedExec ? .unsandboxedAllowed : .execDisabled, reason: failure.message)
        }
    }

    private static func trial(_ policy: ToolPolicy, limits: SandboxLimits, timeout: Duration) async -> Result<Fence, FenceError> {
        await Fence.trial(
            layout(policy, limits: limits), environment: policy.commandEnvironment, command: [BashTool.shell, "-c", "exit 0"],
            timeout: timeout)
    }
}
