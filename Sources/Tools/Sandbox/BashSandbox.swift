import Foundation
import ProcessControl

/// Builds the command line that runs a `bash` command inside bubblewrap, and runs the trial at start.
///
/// Inside: the whole filesystem read-only, the workspace writable, a private `/tmp`, `AGENT_HOME` under an empty
/// tmpfs and the database files (and the worker's `.env`) replaced by `/dev/null`; a new `/proc` in its own PID
/// namespace, so no process of the worker is visible; no network unless the `network` tier is allowed; every
/// capability dropped, so even root cannot remount or unmount anything; `--die-with-parent`, so the command dies
/// with the worker. When the command exits, the namespace's first process exits and the kernel kills everything
/// left in it, `setsid` children included.
public struct BashSandbox: Sendable {
    /// The bubblewrap executable.
    public let bubblewrap: String
    public let policy: ToolPolicy

    public init(bubblewrap: String, policy: ToolPolicy) {
        self.bubblewrap = bubblewrap
        self.policy = policy
    }

    /// The arguments of bubblewrap that run `arguments` (a program and its arguments) in the sandbox.
    public func arguments(running arguments: [String]) -> [String] {
        var options = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        options += ["--bind", policy.workspace, policy.workspace]
        if FileManager.default.fileExists(atPath: policy.home) {
            options += ["--tmpfs", policy.home]
        }
        let ownEnvironmentFile = FileManager.default.currentDirectoryPath + "/.env"
        for file in policy.databaseFiles + [ownEnvironmentFile]
        where FileManager.default.fileExists(atPath: file) && !PathWalker.contains(policy.home, file)
            && !PathWalker.contains(policy.workspace, file)
        {
            options += ["--ro-bind", "/dev/null", file]
        }
        options += ["--unshare-pid", "--die-with-parent", "--cap-drop", "ALL"]
        if !policy.allowedTiers.contains(.network) { options += ["--unshare-net"] }
        options += ["--chdir", policy.workspace, "--"]
        return options + arguments
    }

    /// Finds bubblewrap (`bwrap`) on `PATH`.
    public static func locate(in environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/bwrap"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The trial run: `bwrap ... bash -c true` with the real options. Decides the state of the `exec` tier.
    public static func probe(policy: ToolPolicy, timeout: Duration = .seconds(10)) async -> SandboxStatus {
        let failure: String
        if let bubblewrap = locate(in: policy.commandEnvironment) {
            let sandbox = BashSandbox(bubblewrap: bubblewrap, policy: policy)
            let spec = ProcessSpec(
                executable: bubblewrap, arguments: sandbox.arguments(running: [BashTool.shell, "-c", "exit 0"]),
                environment: policy.commandEnvironment, standardOutput: .null, standardError: .pipe, newSession: true)
            do {
                let result = try await ProcessRunner.run(spec, timeout: timeout, outputLimit: 2048)
                if result.status.isSuccess && !result.timedOut {
                    return SandboxStatus(state: .sandboxed, bubblewrap: bubblewrap)
                }
                let message = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
                failure =
                    result.timedOut
                    ? "the trial run of bubblewrap timed out" : "bubblewrap failed its trial run (\(result.status)): \(message)"
            } catch {
                failure = "bubblewrap could not start: \(error)"
            }
        } else {
            failure = "bubblewrap (bwrap) is not installed"
        }
        return SandboxStatus(state: policy.allowUnsandboxedExec ? .unsandboxedAllowed : .execDisabled, reason: failure)
    }
}
