import Foundation
import ProcessControl

#if canImport(Glibc)
    import Glibc
#endif

/// A pids cgroup of its own for one fenced command: its `pids.max` caps how many processes and threads the command
/// may have at once, bubblewrap's own two included, whoever runs it (root too, which `RLIMIT_NPROC` does not bind).
///
/// It is made below the cgroup this process is in, which needs that cgroup to be writable: a delegated one, or
/// cgroup v1's pids hierarchy for root. The command joins it before bubblewrap starts (`wrapping`), so every
/// process it makes is counted from the first.
public struct PidsCgroup: Sendable {
    /// The cgroup's folder.
    public let path: String
    /// How the names of these cgroups begin; the maker's pid follows.
    static let prefix = "agent-fence-"

    /// The folder new cgroups are made in (the pids cgroup of this process), or why none can be made here.
    ///
    /// A trial makes one with a `pids.max`, moves a shell into it and removes it. The empty cgroups left by a
    /// process that died before removing its own (`kill -9` during a command) are removed first.
    public static func parent() async -> Result<String, FenceError> {
        guard let parent = ownCgroup() else {
            return .failure(FenceError("no pids controller in this process's cgroups"))
        }
        removeAbandoned(in: parent)
        let cgroup: PidsCgroup
        do {
            cgroup = try make(in: parent, limit: 8)
        } catch {
            return .failure(error)
        }
        let spec = ProcessSpec(
            executable: "/bin/sh", arguments: Array(cgroup.wrapping(["/bin/sh", "-c", "exit 0"]).dropFirst()),
            environment: ["PATH": "/usr/bin:/bin"])
        let result = try? await ProcessRunner.run(spec, timeout: .seconds(10), outputLimit: 1024)
        await cgroup.remove()
        guard let result, result.status.isSuccess else {
            let message = result?.standardError.trimmingCharacters(in: .whitespacesAndNewlines) ?? "it did not start"
            return .failure(FenceError("cannot move a process into a cgroup under \(parent): \(message)"))
        }
        return .success(parent)
    }

    /// Makes a cgroup under `parent` allowing `limit` processes.
    ///
    /// - Throws: `FenceError` when the folder or its `pids.max` cannot be written.
    public static func make(in parent: String, limit: Int) throws(FenceError) -> PidsCgroup {
        let path = "\(parent)/\(prefix)\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        guard mkdir(path, 0o755) == 0 else {
            throw FenceError("cannot make a cgroup under \(parent): \(String(cString: strerror(errno)))")
        }
        let cgroup = PidsCgroup(path: path)
        guard (try? "\(limit)\n".write(toFile: "\(path)/pids.max", atomically: false, encoding: .utf8)) != nil else {
            rmdir(path)
            throw FenceError("cannot set pids.max in \(path)")
        }
        return cgroup
    }

    /// `command` (a program and its arguments) run inside the cgroup: a shell writes its own pid to
    /// `cgroup.procs`, then becomes the command; when the write fails, the command does not run.
    public func wrapping(_ command: [String]) -> [String] {
        ["/bin/sh", "-c", #"echo $$ > "$0" && exec "$@""#, "\(path)/cgroup.procs"] + command
    }

    /// Removes the cgroup once its last process is gone, waiting up to 5 s for the kernel to finish killing them;
    /// a cancelled caller waits too, so that no cgroup is left behind.
    public func remove() async {
        let path = path
        await Task.detached {
            for _ in 0..<100 {
                if rmdir(path) == 0 || errno == ENOENT { return }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }.value
    }

    /// Removes the cgroups under `parent` whose maker (the pid in their name) is gone; one still holding a
    /// process is left alone (`rmdir` refuses it).
    static func removeAbandoned(in parent: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for name in names where name.hasPrefix(prefix) {
            let maker = name.dropFirst(prefix.count).prefix { $0 != "-" }
            if let pid = pid_t(maker), kill(pid, 0) != 0 && errno == ESRCH { rmdir("\(parent)/\(name)") }
        }
    }

    /// The pids cgroup of this process: cgroup v1's `pids` hierarchy, or the unified (v2) one when it offers the
    /// `pids` controller, as a folder under its mount point.
    static func ownCgroup() -> String? {
        guard let memberships = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
            let mounts = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        else { return nil }
        for line in memberships.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            let version1 = fields[1].split(separator: ",").contains("pids")
            guard version1 || (fields[0] == "0" && fields[1].isEmpty) else { continue }
            for mount in mounts.split(separator: "\n") {
                let parts = mount.split(separator: " ").map(String.init)
                guard let dash = parts.firstIndex(of: "-"), parts.count > dash + 3, dash >= 5 else { continue }
                let type = parts[dash + 1]
                let isMatch =
                    version1
                    ? type == "cgroup" && parts[dash + 3].split(separator: ",").contains("pids") : type == "cgroup2"
                guard isMatch else { continue }
                let root = parts[3]
                let within = fields[2]
                guard root == "/" || within == root || within.hasPrefix(root + "/") else { continue }
                let relative = root == "/" ? within : String(within.dropFirst(root.count))
                let folder = parts[4] + (relative == "/" ? "" : relative)
                if !version1 {
                    let controllers = (try? String(contentsOfFile: "\(folder)/cgroup.controllers", encoding: .utf8)) ?? ""
                    guard controllers.split(whereSeparator: \.isWhitespace).contains("pids") else { continue }
                }
                return folder
            }
        }
        return nil
    }
}
