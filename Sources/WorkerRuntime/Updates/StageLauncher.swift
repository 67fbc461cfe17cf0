import Foundation
import Logging
import ProcessControl
import ServiceLifecycle
import Settings
import Synchronization
import Tools

/// Runs `agent-build stage` as the worker's own child, one stage at a time, never waiting for it in a chat: a
/// request is taken at once (or refused while a stage runs) and the stage's outcome reaches the admins through
/// `UpdateNotices`, from the events the stage writes.
///
/// The child gets the worker's environment without its secrets and runs in a session of its own; its output goes
/// to `AGENT_HOME/logs/stage-<time>.log`. A graceful shutdown of the worker ends a running stage (SIGTERM, then
/// SIGKILL after 10 s): its artifact stays `building` and is never deployable.
public final class StageLauncher: Service, Sendable {
    /// One request for a stage of the workspace.
    public struct Request: Sendable {
        /// A Telegram user id, or `agent` for the `stage_update` tool.
        public let requestedBy: String
        public let reason: String?

        public init(requestedBy: String, reason: String?) {
            self.requestedBy = requestedBy
            self.reason = reason
        }
    }

    /// `AGENT_BUILD_BIN`, else `agent-build` beside the worker's executable, else `agent-build` on `PATH`.
    public let executable: String
    private let environment: [String: String]
    private let logDirectory: String
    private let logger: Logger
    private let busy = Atomic<Bool>(false)
    private let current = Mutex<ChildProcess?>(nil)
    private let requests: AsyncStream<Request>
    private let continuation: AsyncStream<Request>.Continuation

    public init(paths: AgentPaths, environment: [String: String], logger: Logger) {
        let beside =
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map {
                ($0 as NSString).deletingLastPathComponent + "/agent-build"
            })
        if let configured = environment["AGENT_BUILD_BIN"], !configured.isEmpty {
            executable = configured
        } else if let beside, FileManager.default.isExecutableFile(atPath: beside) {
            executable = beside
        } else {
            executable = "agent-build"
        }
        var childEnvironment = CommandEnvironment.filter(environment).kept
        childEnvironment["AGENT_HOME"] = paths.home
        childEnvironment["AGENT_DB"] = paths.database
        childEnvironment["AGENT_WORKSPACE"] = paths.workspace
        for name in ["AGENT_PARENT_EVENT_ID", "AGENT_INSTANCE", "AGENT_REV", "AGENT_FAILPOINT"] { childEnvironment[name] = nil }
        self.environment = childEnvironment
        logDirectory = "\(paths.home)/logs"
        self.logger = logger
        (requests, continuation) = AsyncStream.makeStream(of: Request.self)
    }

    /// Whether a stage is running or about to.
    public var isBusy: Bool { busy.load(ordering: .relaxed) }

    /// Starts a stage unless one is running. Returns whether it was taken.
    public func request(_ request: Request) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return false }
        continuation.yield(request)
        return true
    }

    public func run() async {
        await withGracefulShutdownHandler {
            for await request in requests {
                await runStage(request)
                busy.store(false, ordering: .relaxed)
            }
        } onGracefulShutdown: {
            self.continuation.finish()
            self.current.withLock { $0 }?.signalGroup(SIGTERM)
        }
    }

    private func runStage(_ request: Request) async {
        try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let log = "\(logDirectory)/stage-\(Int(Date().timeIntervalSince1970 * 1000)).log"
        var arguments = ["stage", "--requested-by", request.requestedBy]
        if let reason = request.reason { arguments += ["--reason", reason] }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                ProcessSpec(
                    executable: executable, arguments: arguments, environment: environment, standardInput: .null,
                    standardOutput: .file(log), standardError: .sameAsOutput, newSession: true))
        } catch {
            logger.error("cannot start agent-build", metadata: ["executable": "\(executable)", "error": "\(error.message)"])
            return
        }
        current.withLock { $0 = child }
        logger.info("stage started", metadata: ["pid": "\(child.pid)", "log": "\(log)", "requested_by": "\(request.requestedBy)"])
        let status = await child.wait()
        current.withLock { $0 = nil }
        logger.info("stage ended", metadata: ["status": "\(status)", "log": "\(log)"])
    }
}

extension StageLauncher: CustomStringConvertible {
    public var description: String { "StageLauncher" }
}
