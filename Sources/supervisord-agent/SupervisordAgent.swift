import ArgumentParser
import Events
import FoundationEssentials
import Logging
import ProcessControl
import Revisions
import ServiceLifecycle
import Settings
import Supervisor
import Telegram
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// `supervisord-agent`: runs one `agent-worker` at a time, restarts it, detects crash loops, alerts the admins.
@main
struct SupervisordAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervisord-agent",
        abstract: "Run the agent's worker: spawn, watch, restart with backoff, detect crash loops.",
        discussion: "Settings come from the environment (AGENT_HOME, AGENT_DB, AGENT_READY_TIMEOUT_S, ...): see docs/supervisor.md.",
        version: BuildInfo.version)

    @Option(help: "The worker executable to run and promote when nothing is deployed in AGENT_HOME/current yet.")
    var worker: String?

    func run() async throws {
        let level: Logger.Level
        do {
            level = Logger.Level(rawValue: try EnvironmentReader().logLevel()) ?? .info
        } catch {
            writeToStandardError("supervisord-agent: \(error)\n")
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "supervisord-agent")
        if !OrphanAdoption.enable() { logger.warning("cannot become a child subreaper: orphans of the worker go to init") }
        let settings: SupervisorSettings
        do {
            settings = try SupervisorSettings(environment: EnvironmentReader(), fallbackWorker: worker)
        } catch {
            fail("\(error)", code: 2)
        }
        let lock: InstanceLock
        let store: EventStore
        do throws(EventsError) {
            lock = try InstanceLock(databasePath: settings.paths.database, for: .supervisor)
            store = EventStore(
                database: try Database(path: settings.paths.database),
                identity: EventIdentity(source: .supervisor, rev: SelfRevision.current),
                secrets: [settings.botToken?.value].compactMap { $0 })
        } catch {
            fail(error.message, code: 1)
        }
        let alerter = settings.botToken.map {
            AdminAlerter(
                configuration: TelegramConfiguration(token: $0.value, apiBase: settings.telegramBase, requestTimeout: .seconds(10)),
                adminUserIDs: settings.adminUserIDs)
        }
        let supervisor = WorkerSupervisor(settings: settings, store: store, alerter: alerter, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    ServiceGroupConfiguration.ServiceConfiguration(
                        service: supervisor, successTerminationBehavior: .gracefullyShutdownGroup)
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            defer { withExtendedLifetime(lock) {} }
            try await group.run()
        } catch let error as SupervisorError {
            fail(error.message, code: error.code == .workerMisconfigured ? 2 : 1)
        } catch let error as EventsError {
            fail(error.message, code: 1)
        }
    }

    /// Prints one line on standard error and exits.
    private func fail(_ message: String, code: Int32) -> Never {
        writeToStandardError("supervisord-agent: \(message)\n")
        Glibc.exit(code)
    }
}
