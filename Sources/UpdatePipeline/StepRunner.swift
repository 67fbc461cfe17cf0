import Fence
import Foundation
import ProcessControl
import Settings

/// Runs the steps of one stage fenced: the staging folder mounted at `/tmp/stage` (the only writable place), the
/// state folder, the database files and the user's home hidden, no network, an environment of `PATH`, `LANG` and
/// `HOME=/tmp/stage/home` plus what the step adds, so no secret of the caller reaches it. Without bubblewrap the
/// steps run unfenced only when the operator allowed it (`AGENT_ALLOW_UNSANDBOXED_EXEC=1`).
public struct StepRunner: Sendable {
    /// Where the staging folder appears inside the fence.
    public static let inside = "/tmp/stage"

    public let staging: String
    /// `nil` when running unfenced by the operator's leave.
    public let fence: Fence?
    public let layout: FenceLayout
    public let searchPath: String

    /// Checks that the fence works here.
    ///
    /// - Throws: `.noFence` when bubblewrap is missing or fails its trial and unfenced runs are not allowed.
    public static func make(staging: String, settings: PipelineSettings) async throws(PipelineError) -> StepRunner {
        let paths = settings.paths
        var hiddenFolders = [paths.home]
        if let home = ProcessInfo.processInfo.environment["HOME"], home != "/", !home.isEmpty,
            !Self.contains(home, staging), !Self.contains(home, "/opt"), !Self.contains(home, "/usr")
        {
            hiddenFolders.append(home)
        }
        let layout = FenceLayout(
            hiddenFolders: hiddenFolders,
            hiddenFiles: ["", "-wal", "-shm", "-journal", ".lock", ".worker.lock"].map { paths.database + $0 },
            mounts: [FenceLayout.Mount(source: staging, destination: inside, writable: true)],
            network: false, workingDirectory: inside)
        let environment = ["PATH": settings.searchPath, "LANG": "C.UTF-8"]
        switch await Fence.trial(layout, environment: environment) {
        case .success(let fence):
            return StepRunner(staging: staging, fence: fence, layout: layout, searchPath: settings.searchPath)
        case .failure(let failure):
            guard settings.allowUnfenced else {
                throw PipelineError(
                    .noFence,
                    "the stage's steps must run fenced and \(failure.message); set AGENT_ALLOW_UNSANDBOXED_EXEC=1 to run them without")
            }
            return StepRunner(staging: staging, fence: nil, layout: layout, searchPath: settings.searchPath)
        }
    }

    /// What a step came to.
    public struct Outcome: Sendable {
        public let status: TerminationStatus
        public let timedOut: Bool
        public let duration: Duration
        /// The log file (host path): everything the step printed.
        public let log: String

        public var succeeded: Bool { status.isSuccess && !timedOut }

        /// The failure in one line.
        public var failure: String {
            timedOut ? "timed out after \(duration.components.seconds) s" : "\(status)"
        }
    }

    /// Runs `command` with `/bin/sh -c` in `directory` (a path inside the fence, under `/tmp/stage`), its output in
    /// `log`, killed with its whole process group at `timeout`.
    public func run(
        _ command: String, in directory: String, environment extra: [String: String] = [:], timeout: Duration, log: String
    ) async throws(PipelineError) -> Outcome {
        var environment = ["PATH": searchPath, "LANG": "C.UTF-8", "HOME": "\(Self.inside)/home", "TMPDIR": "/tmp"]
        environment.merge(extra) { _, new in new }
        var layout = self.layout
        layout.workingDirectory = directory
        let shell = ["/bin/sh", "-c", command]
        var spec = ProcessSpec(
            executable: "/bin/sh", arguments: Array(shell.dropFirst()), environment: environment, standardInput: .null,
            standardOutput: .file(log), standardError: .sameAsOutput, newSession: true)
        if let fence {
            spec.executable = fence.bubblewrap
            spec.arguments = fence.arguments(layout, running: shell)
        } else {
            environment["HOME"] = "\(staging)/home"
            environment["TMPDIR"] = "\(staging)/tmp"
            try? FileManager.default.createDirectory(atPath: "\(staging)/tmp", withIntermediateDirectories: true)
            spec.environment = environment.mapValues { $0.replacingOccurrences(of: Self.inside, with: staging) }
            spec.arguments = ["-c", command.replacingOccurrences(of: Self.inside, with: staging)]
            spec.workingDirectory = directory.replacingOccurrences(of: Self.inside, with: staging)
        }
        try? FileManager.default.createDirectory(atPath: "\(staging)/home", withIntermediateDirectories: true)
        let started = ContinuousClock.now
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(spec)
        } catch {
            throw PipelineError(.failed, "cannot start the step: \(error.message)")
        }
        let (status, timedOut) = await child.wait(timeout: timeout, grace: .seconds(5))
        child.signalGroup(SIGKILL)
        return Outcome(status: status, timedOut: timedOut, duration: ContinuousClock.now - started, log: log)
    }

    /// The host path of a path inside the fence.
    public func hostPath(_ inside: String) -> String {
        inside.hasPrefix(Self.inside) ? staging + inside.dropFirst(Self.inside.count) : inside
    }

    static func contains(_ outer: String, _ inner: String) -> Bool {
        inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
    }
}
