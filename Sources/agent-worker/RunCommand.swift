import ArgumentParser
import Events
import Foundation
import Logging
import ProcessControl
import Revisions
import Settings
import Telegram
import WorkerRuntime

/// `agent-worker run` (the default): poll Telegram, run the agent, send replies, until stopped.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Poll Telegram and answer (the default). Settings come from the environment: see README.md.")

    @Flag(
        name: .customLong("self-check"),
        help: "Check the configuration, the database's schema, the tool registry and the sandbox; exit 0, or 1 with the reason.")
    var selfCheck = false

    func run() async throws {
        if selfCheck {
            let report = await SelfCheck.run(environment: ProcessInfo.processInfo.environment)
            print(report.line)
            if !report.passed { throw ExitCode(1) }
            return
        }
        MallocArenas.limit()
        // A protocol line written after the supervisor died (the first WATCHDOG=1 right after READY=1, under load)
        // fails with EPIPE instead of killing the worker before it records process.stopped: the end of standard
        // input stops it then. Children start with every signal at its default (ChildProcess).
        signal(SIGPIPE, SIG_IGN)
        let level: Logger.Level
        do {
            level = Logger.Level(rawValue: try EnvironmentReader().logLevel()) ?? .info
        } catch {
            FileHandle.standardError.write(Data("agent-worker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "agent-worker")
        let environment = EnvironmentReader()
        let paths = AgentPaths(environment: environment)
        let lock: InstanceLock
        do {
            try paths.checkSeparated()
        } catch {
            FileHandle.standardError.write(Data("agent-worker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            // One worker per database (SPEC section 1): a second one would requeue the first one's rows.
            lock = try InstanceLock(databasePath: paths.database, for: .worker)
        } catch {
            FileHandle.standardError.write(Data("agent-worker: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        defer { withExtendedLifetime(lock) {} }
        let settings: WorkerSettings
        do {
            if case .cloned(let source) = try await WorkspaceBootstrap.prepare(paths: paths, environment: environment) {
                logger.info("workspace cloned", metadata: ["source": "\(source)", "workspace": "\(paths.workspace)"])
            }
            settings = try WorkerSettings(environment: environment, executableRev: SelfRevision.current)
        } catch {
            FileHandle.standardError.write(Data("agent-worker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            try await Worker.run(settings: settings, logger: logger)
        } catch let error as EventsError {
            FileHandle.standardError.write(Data("agent-worker: \(error.message)\n".utf8))
            throw ExitCode(1)
        } catch let error as TelegramError {
            FileHandle.standardError.write(Data("agent-worker: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
