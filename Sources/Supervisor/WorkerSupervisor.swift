import Events
import Foundation
import Logging
import ProcessControl
import Revisions
import ServiceLifecycle
import Settings
import Synchronization

/// The supervisor's one long-lived loop: run the worker, watch it, restart it with backoff, detect crash loops,
/// alert the admins when no worker can serve, and stop cleanly.
///
/// Every step is recorded: `process.started`, then per spawn `worker.spawned` (parent of the worker's own
/// `process.started`, through `AGENT_PARENT_EVENT_ID`), `worker.ready`, `worker.exited`,
/// `worker.restart_scheduled`, `crash_loop.detected`, `alert.sent`, and `process.stopped` at the end.
public final class WorkerSupervisor: Service {
    private let settings: SupervisorSettings
    private let store: EventStore
    private let artifacts: ArtifactStore
    private let alerter: AdminAlerter?
    private let logger: Logger
    private let stop = StopSignal()
    private let availability: Mutex<Availability>

    /// Since when no worker has been ready, and when the admins were last told.
    struct Availability {
        var unavailableSince: ContinuousClock.Instant?
        var lastAlert: ContinuousClock.Instant?
    }

    public init(settings: SupervisorSettings, store: EventStore, alerter: AdminAlerter?, logger: Logger) {
        self.settings = settings
        self.store = store
        self.artifacts = ArtifactStore(home: settings.paths.home)
        self.alerter = alerter
        self.logger = logger
        self.availability = Mutex(Availability(unavailableSince: .now))
    }

    public func run() async throws {
        let process = try store.startSpan(
            "process", parent: nil,
            payload: [
                "program": "supervisord-agent", "version": .string(BuildInfo.version), "rev": JSONValue(store.identity.rev),
                "pid": .int(Int64(getpid())), "db": .string(settings.paths.database),
            ])
        var reason = "signal"
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await self.alertWhileUnavailable(under: process) }
                    defer { self.stop.raise() }
                    try await self.superviseWorkers(under: process)
                }
            } onGracefulShutdown: {
                self.logger.info("stop requested")
                self.stop.raise()
            }
        } catch {
            reason = "error: \(error)"
            _ = try? process.event(EventKind.processStopped, level: .error, payload: ["reason": .string(reason)])
            throw error
        }
        try process.event(EventKind.processStopped, payload: ["reason": .string(reason)])
        try? store.database.checkpoint()
    }

    // MARK: Running workers

    private func superviseWorkers(under process: Span) async throws {
        var detector = CrashLoopDetector(
            crashWindow: settings.crashWindow, crashMax: settings.crashMax,
            crashBeforeReadyMax: settings.crashBeforeReadyMax, stableReset: settings.stableReset)
        let backoff = Backoff(base: settings.backoffBase, max: settings.backoffMax)
        var random = SystemRandomNumberGenerator()
        var inCrashLoop = false
        try promoteFallbackWorkerIfNothingDeployed(under: process)

        while !stop.isRaised {
            let outcome = try await runWorker(under: process)
            if stop.isRaised { break }
            let verdict = detector.recordExit(at: .now, uptime: outcome.uptime, becameReady: outcome.becameReady)
            let delay: Duration
            let attempt: Int
            switch verdict {
            case .restart(let thisAttempt):
                inCrashLoop = false
                attempt = thisAttempt
                delay = backoff.delay(attempt: thisAttempt, using: &random)
            case .crashLoop(let exits, let thisAttempt):
                attempt = thisAttempt
                delay = settings.backoffMax
                if !inCrashLoop {
                    inCrashLoop = true
                    logger.error("crash loop", metadata: ["worker.rev": "\(outcome.rev ?? "?")", "exits": "\(exits)"])
                    try process.event(
                        EventKind.crashLoopDetected, level: .error,
                        payload: [
                            "exits": .int(Int64(exits)), "window_s": .int(settings.crashWindow.components.seconds),
                            "rev": JSONValue(outcome.rev),
                            "current_good_rev": JSONValue(try DerivedState(database: store.database).currentGoodRev()),
                        ])
                }
            }
            try process.event(
                EventKind.workerRestartScheduled,
                payload: ["delay_ms": .int(delay.wholeMilliseconds), "attempt": .int(Int64(attempt + 1))])
            await stop.sleep(for: delay)
        }
    }

    /// What one worker's life came to.
    struct Outcome {
        let rev: String?
        let uptime: Duration
        let becameReady: Bool
    }

    /// Spawns one worker, watches it until it exits, and records its life.
    private func runWorker(under process: Span) async throws -> Outcome {
        let instance = try DerivedState(database: store.database).workerInstanceSeq() + 1
        let path = artifacts.currentWorker ?? settings.fallbackWorker
        let rev = path.flatMap { try? FileDigest.sha256(ofFile: $0) }
        let spawned = try process.event(
            EventKind.workerSpawned, payload: ["instance": .int(instance), "rev": JSONValue(rev), "path": JSONValue(path)])
        let started = ContinuousClock.now

        guard let path else {
            try recordExit(
                spawned: spawned, status: nil, uptime: .zero, reason: "no_worker", error: "nothing deployed and no --worker given")
            return Outcome(rev: nil, uptime: .zero, becameReady: false)
        }
        var environment = settings.workerEnvironment
        environment["AGENT_REV"] = rev ?? ""
        environment["AGENT_INSTANCE"] = String(instance)
        environment["AGENT_PARENT_EVENT_ID"] = String(spawned)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                ProcessSpec(
                    executable: path, environment: environment, standardInput: .pipe, standardOutput: .pipe,
                    standardError: .inherit, newSession: true))
        } catch {
            logger.error("cannot start the worker", metadata: ["path": "\(path)", "error": "\(error)"])
            try recordExit(spawned: spawned, status: nil, uptime: .zero, reason: "spawn_failed", error: error.message)
            return Outcome(rev: rev, uptime: .zero, becameReady: false)
        }
        logger.info("worker started", metadata: ["worker.pid": "\(child.pid)", "worker.instance": "\(instance)"])

        let run = WorkerRun(startedAt: started)
        let status = await withTaskGroup(of: Void.self) { group -> TerminationStatus in
            group.addTask { await self.readProtocol(of: child, run: run, spawned: spawned, process: process) }
            group.addTask { await self.enforceDeadlines(on: child, run: run) }
            let status = await child.wait()
            group.cancelAll()
            return status
        }
        child.closeStandardInput()
        let final = run.snapshot
        let uptime = ContinuousClock.now - started
        try recordExit(spawned: spawned, status: status, uptime: uptime, reason: final.killReason ?? "exited", error: nil)
        availability.withLock { $0.unavailableSince = $0.unavailableSince ?? .now }
        return Outcome(rev: rev, uptime: uptime, becameReady: final.readyAt != nil)
    }

    private func readProtocol(of child: ChildProcess, run: WorkerRun, spawned: Int64, process: Span) async {
        guard let output = child.output else { return }
        for await line in output.lines {
            let firstReady = run.receive(line, at: .now)
            if firstReady {
                availability.withLock { $0 = Availability(unavailableSince: nil, lastAlert: nil) }
                do {
                    try store.append(EventKind.workerReady, parent: spawned, payload: ["pid": .int(Int64(child.pid))])
                } catch {
                    logger.error("cannot record worker.ready", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    private func enforceDeadlines(on child: ChildProcess, run: WorkerRun) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            if Task.isCancelled { return }
            let action = run.check(
                at: .now, stopping: stop.isRaised, readyTimeout: settings.readyTimeout, watchdog: settings.watchdog,
                stopGrace: settings.stopGrace)
            switch action {
            case .none:
                break
            case .terminate:
                child.closeStandardInput()
                child.signalGroup(SIGTERM)
            case .kill(let reason):
                logger.warning("killing the worker", metadata: ["reason": "\(reason)", "worker.pid": "\(child.pid)"])
                child.signalGroup(SIGKILL)
            }
        }
    }

    private func recordExit(spawned: Int64, status: TerminationStatus?, uptime: Duration, reason: String, error: String?) throws {
        var payload: JSONObject = [
            "code": JSONValue(status?.exitCode), "signal": JSONValue(status?.signal),
            "uptime_ms": .int(uptime.wholeMilliseconds), "reason": .string(reason),
        ]
        if let error { payload["error"] = .string(error) }
        let failed = reason != "stopped" || status == nil
        try store.append(EventKind.workerExited, parent: spawned, level: failed ? .warn : .info, payload: payload)
        logger.info(
            "worker exited", metadata: ["status": "\(status.map(String.init(describing:)) ?? "not started")", "reason": "\(reason)"])
    }

    /// With nothing deployed, installs `--worker PATH` as the first artifact, points `current` at it and records
    /// it as the first promoted revision.
    private func promoteFallbackWorkerIfNothingDeployed(under process: Span) throws {
        guard artifacts.currentWorker == nil else { return }
        guard let fallback = settings.fallbackWorker else {
            throw SupervisorError(
                .noWorker, "nothing is deployed at \(artifacts.currentLink) and no --worker PATH was given")
        }
        let rev: String
        do {
            rev = try artifacts.install(binary: fallback)
            try artifacts.switchCurrent(to: rev)
        } catch {
            throw SupervisorError(.startFailed, "cannot install \(fallback) as the first worker: \(error.localizedDescription)")
        }
        try process.event(
            EventKind.revisionPromoted, payload: ["rev": .string(rev), "reason": "first worker", "source": .string(fallback)])
        logger.info("first worker promoted", metadata: ["rev": "\(rev)"])
    }

    // MARK: Alerts

    private func alertWhileUnavailable(under process: Span) async {
        guard let alerter, !alerter.adminUserIDs.isEmpty else { return }
        while !stop.isRaised {
            if await stop.sleep(for: .seconds(1)) { return }
            let now = ContinuousClock.now
            let due = availability.withLock { state -> Duration? in
                guard let since = state.unavailableSince, now - since >= settings.alertAfter else { return nil }
                if let last = state.lastAlert, now - last < settings.alertRepeat { return nil }
                state.lastAlert = now
                return now - since
            }
            guard let down = due else { continue }
            let minutes = down.components.seconds / 60
            let text = "⚠️ agent: no worker has been ready for \(minutes) min. Check `agent-log tree --last-process`."
            let result = await alerter.send(text)
            _ = try? process.event(
                EventKind.alertSent, level: .warn,
                payload: [
                    "reason": "no_ready_worker", "unavailable_s": .int(down.components.seconds),
                    "delivered": .int(Int64(result.delivered)), "error": JSONValue(result.failure),
                ])
        }
    }
}
