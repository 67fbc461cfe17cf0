import Context
import Control
import Events
import Foundation
import Logging
import ModelAdapter
import ServiceLifecycle
import Settings
import Telegram
import Tools
import UnixSignals

/// The worker program: opens the database, records `process.started` (a child of the supervisor's
/// `worker.spawned`), proves the token with `getMe`, then runs its loops until SIGTERM/SIGINT or the end of its
/// standard input: the supervisor link, the poller, the dispatcher, the sender.
public enum Worker {
    /// Runs the worker to its end.
    ///
    /// - Throws: `EventsError` when the database cannot be opened, `TelegramError` when `getMe` is refused for good
    ///   (a wrong token): the supervisor's restart policy then applies.
    public static func run(settings: WorkerSettings, logger: Logger) async throws {
        let store = EventStore(
            database: try Database(path: settings.paths.database, checkpoints: .background),
            identity: EventIdentity(source: .worker, rev: settings.rev, instance: settings.supervision?.instance),
            secrets: settings.secrets.map(\.value))
        let sandbox = await BashSandbox.probe(policy: settings.toolPolicy)
        let process = try store.startSpan(
            "process", parent: settings.supervision?.parentEventID,
            payload: [
                "program": "agent-worker", "version": .string(BuildInfo.version), "rev": JSONValue(settings.rev),
                "pid": .int(Int64(getpid())), "db": .string(settings.paths.database), "model": .string(settings.model),
                "supervised": .bool(settings.supervision != nil),
            ].merging(sandbox.payload) { first, _ in first })
        if sandbox.state != .sandboxed { logger.warning("tools sandbox", metadata: ["state": "\(sandbox.summary)"]) }
        if case .notEnforced = sandbox.limits?.processCount {
            logger.warning("tools sandbox", metadata: ["limits": "\(sandbox.limits?.summary ?? "")"])
        }
        let telegram = TelegramClient(configuration: settings.telegram)
        let bot: User
        switch await start(telegram: telegram, process: process, supervised: settings.supervision != nil, logger: logger) {
        case .identified(let user):
            bot = user
        case .refused(let error):
            _ = try? process.event(EventKind.processStopped, level: .error, payload: ["reason": .string("getMe failed: \(error.message)")])
            throw error
        case .stopped(let reason):
            logger.info("stopped before being ready", metadata: ["reason": "\(reason)"])
            try process.event(EventKind.processStopped, payload: ["reason": .string(reason)])
            return
        }
        logger.info("connected to Telegram", metadata: ["bot.username": "\(bot.username ?? "?")", "bot.id": "\(bot.id)"])
        do {
            try await telegram.setMyCommands(Command.allCases.map { BotCommand($0.rawValue, $0.summary) })
        } catch {
            logger.warning("setMyCommands failed", metadata: ["error": "\(error.message)"])
        }

        let context = WorkerContext(
            settings: settings, store: store, process: process, telegram: telegram, bot: bot, sandbox: sandbox, logger: logger)
        let chatStops = ChatStops()
        let stages = StageLauncher(paths: settings.paths, environment: ProcessInfo.processInfo.environment, logger: logger)
        let caller = ModelCaller(
            client: OpenAIChatClient(configuration: settings.openAI), policy: settings.retryPolicy,
            breaker: CircuitBreaker(openDuration: settings.circuitOpen),
            clock: ContinuousClock())
        let responder = AgentResponder(
            context: context, caller: caller, registry: WorkerTools.registry(policy: settings.toolPolicy, sandbox: sandbox, stages: stages),
            prices: PriceTable(),
            compressor: TruncatingCompressor(maxMessages: settings.historyLimit), chatStops: chatStops)
        let handler = MessageHandler(
            context: context, commands: CommandHandler(context: context, chatStops: chatStops, stages: stages), responder: responder)
        // What each loop may take without progress before the worker counts as hung (docs/worker.md, "Watchdog").
        let progress = ProgressClock()
        let polling = progress.component(
            "poller", allowance: .seconds(settings.pollTimeout) + settings.telegram.longPollGrace + .seconds(30))
        let sending = progress.component("sender", allowance: settings.stallAllowance + settings.telegram.requestTimeout * 2)
        let dispatching = progress.component("dispatcher", allowance: settings.stallAllowance)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let supervision = settings.supervision {
            services.append(.init(service: SupervisorLink(watchdog: supervision.watchdog, progress: progress, logger: logger)))
        }
        // A graceful shutdown stops them in the reverse order: the poller first, then the dispatcher (the updates
        // in progress finish), then the sender (what is queued goes out).
        services.append(.init(service: stages))
        services.append(.init(service: OutboxSender(context: context, progress: sending)))
        services.append(.init(service: UpdateNotices(context: context)))
        services.append(
            .init(service: InboxDispatcher(context: context, handler: handler, chatStops: chatStops, progress: dispatching)))
        services.append(
            .init(
                service: UpdatePoller(
                    telegram: telegram, inbox: context.inbox, process: process, pollTimeout: settings.pollTimeout,
                    newWork: context.newUpdates, progress: polling, failpoint: context.failpoint, trace: context.trace, logger: logger)))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            _ = try? process.event(EventKind.processStopped, level: .error, payload: ["reason": .string("error: \(error)")])
            throw error
        }
        try process.event(EventKind.processStopped, payload: ["reason": "shutdown"])
        try? store.database.checkpoint()
    }

    /// How the start ended.
    enum Start: Sendable {
        case identified(User)
        case refused(TelegramError)
        case stopped(String)
    }

    /// `getMe`, tried again on transient failures (Telegram down, a slow network) until it answers, unless the worker
    /// is asked to stop first: SIGTERM, SIGINT, or the end of its standard input when supervised (the supervisor is
    /// gone). A refusal (401: a wrong token) ends the worker.
    static func start(telegram: TelegramClient, process: Span, supervised: Bool, logger: Logger) async -> Start {
        await withTaskGroup(of: Start?.self) { group in
            group.addTask {
                do throws(TelegramError) {
                    return .identified(try await identify(telegram: telegram, process: process, logger: logger))
                } catch {
                    return Task.isCancelled ? nil : .refused(error)
                }
            }
            group.addTask {
                for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) { return .stopped("signal \(signal)") }
                return nil
            }
            if supervised {
                group.addTask {
                    await SupervisorLink.waitForEndOfStandardInput()
                    return Task.isCancelled ? nil : .stopped("end of standard input")
                }
            }
            defer { group.cancelAll() }
            while let result = await group.next() {
                if let result { return result }
            }
            return .stopped("cancelled")
        }
    }

    static func identify(telegram: TelegramClient, process: Span, logger: Logger) async throws(TelegramError) -> User {
        var delay = Duration.seconds(1)
        while true {
            do {
                return try await telegram.getMe()
            } catch  where error.isTransient {
                logger.warning("getMe failed; trying again", metadata: ["error": "\(error.message)"])
                _ = try? process.event(EventKind.telegramError, level: .warn, payload: error.eventPayload)
                try? await Task.sleep(for: delay)
                if Task.isCancelled { throw TelegramError(.cancelled, method: "getMe", message: "cancelled") }
                delay = min(delay * 2, .seconds(30))
            }
        }
    }
}
