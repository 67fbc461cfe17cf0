import Foundation
import ProcessControl

/// The bubblewrap fence: what runs the agent's commands (`bash`) and every step of a stage that runs what the
/// agent wrote (the build, the tests, the self-check).
///
/// Inside: the whole file system read-only, the layout's mounts, a private `/tmp`, the hidden folders under an
/// empty tmpfs and the hidden files replaced by `/dev/null`; a new `/proc` in its own PID namespace, so no process
/// outside is visible; its own IPC and UTS namespaces (no shared memory, semaphore or message queue of the host,
/// a host name of its own); no network unless the layout allows it; every capability dropped, so even root cannot
/// remount or unmount anything, nor raise the layout's limits; `--die-with-parent`, so the command dies with
/// whoever started it. When the command exits, the namespace's first process exits and the kernel kills everything
/// left in it, `setsid` children included.
public struct Fence: Sendable {
    /// The bubblewrap executable.
    public let bubblewrap: String

    public init(bubblewrap: String) {
        self.bubblewrap = bubblewrap
    }

    /// The arguments of bubblewrap that run `command` (a program and its arguments) fenced by `layout`.
    public func arguments(_ layout: FenceLayout, running command: [String]) -> [String] {
        var options = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        let manager = FileManager.default
        for folder in layout.hiddenFolders where manager.fileExists(atPath: folder) {
            options += ["--tmpfs", folder]
        }
        for file in layout.hiddenFiles
        where manager.fileExists(atPath: file) && !layout.hiddenFolders.contains(where: { Self.contains($0, file) }) {
            options += ["--ro-bind", "/dev/null", file]
        }
        for mount in layout.mounts {
            options += [mount.writable ? "--bind" : "--ro-bind", mount.source, mount.destination]
        }
        if let home = layout.scratchHome { options += ["--dir", home, "--setenv", "HOME", home] }
        options += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--cap-drop", "ALL"]
        if layout.limits.maxProcesses != nil { options += ["--unshare-user"] }
        if !layout.network { options += ["--unshare-net"] }
        options += ["--chdir", layout.workingDirectory, "--"]
        return options + layout.limits.applied(to: command)
    }

    /// Finds bubblewrap (`bwrap`) on the `PATH` of `environment`.
    public static func locate(in environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/bwrap"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A trial run of `command` (by default `/bin/sh -c 'exit 0'`) fenced by `layout`.
    ///
    /// - Returns: the fence when the trial passed, else why it failed, in one line.
    public static func trial(
        _ layout: FenceLayout, environment: [String: String], command: [String] = ["/bin/sh", "-c", "exit 0"],
        timeout: Duration = .seconds(10)
    ) async -> Result<Fence, FenceError> {
        guard let bubblewrap = locate(in: environment) else {
            return .failure(FenceError("bubblewrap (bwrap) is not installed"))
        }
        let fence = Fence(bubblewrap: bubblewrap)
        let spec = ProcessSpec(
            executable: bubblewrap, arguments: fence.arguments(layout, running: command), environment: environment,
            standardOutput: .null, standardError: .pipe, newSession: true)
        do {
            let result = try await ProcessRunner.run(spec, timeout: timeout, outputLimit: 2048)
            if result.status.isSuccess && !result.timedOut { return .success(fence) }
            let message = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(
                FenceError(
                    result.timedOut
                        ? "the trial run of bubblewrap timed out" : "bubblewrap failed its trial run (\(result.status)): \(message)"))
        } catch {
            return .failure(FenceError("bubblewrap could not start: \(error)"))
        }
    }

    static func contains(_ outer: String, _ inner: String) -> Bool {
        inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
    }
}
