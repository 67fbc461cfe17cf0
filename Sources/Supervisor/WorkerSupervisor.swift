import Events
import FoundationEssentials
import Logging
import ProcessControl
import Revisions
import ServiceLifecycle
import Settings
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The supervisor's one long-lived loop: run the worker, watch it, restart it with backoff, detect crash loops,
/// deploy approved artifacts and roll back the ones that fail, alert the admins when no worker can serve, and stop
/// cleanly.
///
/// Every step is recorded: `process.started`, then per spawn `worker.spawned` (parent of the worker's own
/// `process.started`, through `AGENT_PARENT_EVENT_ID`), `worker.ready`, `worker.exited`,
/// `worker.restart_scheduled`, `crash_loop.detected`, the `update.deploy.*` and rollback events, `alert.sent`, and
/// `process.stopped` at the end. Every database step goes through `SupervisorDatabase`, so a locked or full
/// database delays the record and never ends the supervision.
public final class WorkerSupervisor: Service {
    let settings: SupervisorSettings
    let database: SupervisorDatabase
    let artifacts: ArtifactStore
    let alerter: AdminAlerter?
    let logger: Logger
    let stop: StopSignal
    let availability: Mutex<Availability>
    /// The request the watcher found, until the main loop has carried it out.
    let pendingRequest = Mutex<ControlRequest?>(nil)
    /// The revision on trial, shared by the main loop and the task that promotes it.
    let trial = Mutex<Probation?>(nil)
    /// The rollback request being carried out: the watcher does not report it again.
    let requestInProgress = Atomic<Int64>(0)

    /// Since when no worker has been ready, and when the admins were last told.
    struct Availability {
        var unavailableSince: ContinuousClock.Instant?
        var lastAlert: ContinuousClock.Instant?
    }

    public init(settings: SupervisorSettings, store: EventStore, alerter: AdminAlerter?, logger: Logger) {
        let stop = StopSignal()
        self.settings = settings
        self.stop = stop
        self.database = SupervisorDatabase(store: store, logger: logger, stop: stop)
        self.artifacts = ArtifactStore(home: settings.paths.home)
        self.alerter = alerter
        self.logger = logger
        self.availability = Mutex(Availability(unavailableSince: .now))
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            let identity = database.store.identity
            let started = NewEvent(
                EventKind.processStarted,
                payload: [
                    "program": "supervisord-agent", "version": .string(BuildInfo.version), "rev": JSONValue(identity.rev),
                    "pid": .int(Int64(getpid())), "db": .string(settings.paths.database),
                ])
            guard let process = await database.append(started) else { return }
            var reason = "signal"
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await self.alertWhileUnavailable(under: process) }
                    group.addTask { await self.watchForRequests() }
                    defer { self.stop.raise() }
                    try await self.superviseWorkers(under: process)
                }
            } catch {
                reason = "error: \(error)"
                await database.append(
                    NewEvent(EventKind.processStopped, parent: process, level: .error, payload: ["reason": .string(reason)]), once: true)
                throw error
            }
            await database.append(NewEvent(EventKind.processStopped, parent: process, payload: ["reason": .string(reason)]), once: true)
            _ = await database.perform("checkpoint", once: true) { store throws(EventsError) in try store.database.checkpoint() }
        } onGracefulShutdown: {
            self.logger.info("stop requested")
            self.stop.raise()
        }
    }

    // MARK: Running workers

    private func superviseWorkers(under process: Int64) async throws {
        var detector = newDetector()
        let backoff = Backoff(base: settings.backoffBase, max: settings.backoffMax)
        var random = SystemRandomNumberGenerator()
        var inCrashLoop = false
        guard
            var instance = await database.perform(
                "read worker_instance_seq",
                { store throws(EventsError) in
                    try DerivedState(database: store.database).workerInstanceSeq()
                })
        else { return }
        try await promoteFallbackWorkerIfNothingDeployed(under: process)
        await resumeInterruptedSwitch(under: process)

        while !stop.isRaised {
            instance += 1
            guard let outcome = await runWorker(instance: instance, under: process) else { break }
            if stop.isRaised { break }
            if let request = pendingRequest.withLock({ $0 }) {
                // Cleared only once carried out: until the deploy's mark is written the artifact is still
                // `approved`, and a watcher free to look again reported it twice: a second deploy that killed the
                // worker the first had just started (`make demo` with a real worker, whose hash takes a poll or more).
                await carryOut(request, under: process)
                pendingRequest.withLock { $0 = nil }
                detector = newDetector()
                inCrashLoop = false
                continue
            }
            try await stopIfMisconfigured(outcome)
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
                    let good = await database.perform("read current_good_rev") { store throws(EventsError) in
                        try DerivedState(database: store.database).currentGoodRev()
                    }
                    await database.append(
                        NewEvent(
                            EventKind.crashLoopDetected, parent: process, level: .error,
                            payload: [
                                "exits": .int(Int64(exits)), "window_s": .int(settings.crashWindow.components.seconds),
                                "rev": JSONValue(outcome.rev), "current_good_rev": JSONValue(good ?? nil),
                            ]))
                }
            }
            if await rollBackIfFailing(outcome: outcome, crashLoop: inCrashLoop, under: process) {
                detector = newDetector()
                inCrashLoop = false
                continue
            }
            await database.append(
                NewEvent(
                    EventKind.workerRestartScheduled, parent: process,
                    payload: ["delay_ms": .int(delay.wholeMilliseconds), "attempt": .int(Int64(attempt + 1))]))
            await sleepUnlessRequested(for: delay)
        }
    }

    /// Throws `workerMisconfigured` when the good revision exited 2 before it got ready, outside a trial: the
    /// worker's own line on standard error (inherited) names the setting. A revision on trial, or one that is not
    /// the good one, is rolled back as usual instead.
    private func stopIfMisconfigured(_ outcome: Outcome) async throws {
        guard outcome.exitCode == 2, !outcome.becameReady, trial.withLock({ $0 == nil }), let rev = outcome.rev else { return }
        let good = await database.perform("read current_good_rev") { store throws(EventsError) in
            try DerivedState(database: store.database).currentGoodRev()
        }
        guard good == rev else { return }
        throw SupervisorError(
            .workerMisconfigured,
            "the worker (rev \(rev.prefix(12))) stopped at start with exit 2: a setting or a folder is wrong (its line above names it)")
    }

    func newDetector() -> CrashLoopDetector {
        CrashLoopDetector(
            crashWindow: settings.crashWindow, crashMax: settings.crashMax, crashBeforeReadyMax: settings.crashBeforeReadyMax,
            stableReset: settings.stableReset)
    }

    /// Waits out a restart delay; a stop or a deploy / rollback request ends it early.
    private func sleepUnlessRequested(for delay: Duration) async {
        let end = ContinuousClock.now + delay
        while ContinuousClock.now < end, pendingRequest.withLock({ $0 == nil }) {
            if await stop.sleep(for: min(.milliseconds(25), end - .now)) { return }
        }
    }

    /// What one worker's life came to.
    struct Outcome {
        let rev: String?
        let uptime: Duration
        let becameReady: Bool
        var exitCode: Int32? = nil
    }

    /// Spawns one worker, watches it until it exits, and records its life; `nil` when a stop came before the spawn.
    private func runWorker(instance: Int64, under process: Int64) async -> Outcome? {
        let path = artifacts.currentWorker ?? settings.fallbackWorker
        let rev = path.flatMap { try? FileDigest.sha256(ofFile: $0) }
        guard
            let spawned = await database.append(
                NewEvent(
                    EventKind.workerSpawned, parent: process,
                    payload: ["instance": .int(instance), "rev": JSONValue(rev), "path": JSONValue(path)]))
        else { return nil }
        let started = ContinuousClock.now

        guard let path else {
            await recordExit(
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
            await recordExit(spawned: spawned, status: nil, uptime: .zero, reason: "spawn_failed", error: error.message)
            return Outcome(rev: rev, uptime: .zero, becameReady: false)
        }
        logger.info("worker started", metadata: ["worker.pid": "\(child.pid)", "worker.instance": "\(instance)"])

        let run = WorkerRun(startedAt: started)
        let status = await withTaskGroup(of: Void.self) { group -> TerminationStatus in
            group.addTask { await self.readProtocol(of: child, run: run, spawned: spawned) }
            group.addTask { await self.enforceDeadlines(on: child, run: run, rev: rev) }
            group.addTask { await self.holdProbation(run: run, rev: rev, under: process) }
            let status = await child.wait()
            group.cancelAll()
            return status
        }
        child.closeStandardInput()
        let final = run.snapshot
        let uptime = ContinuousClock.now - started
        await recordExit(spawned: spawned, status: status, uptime: uptime, reason: final.killReason ?? "exited", error: nil)
        availability.withLock { $0.unavailableSince = $0.unavailableSince ?? .now }
        return Outcome(rev: rev, uptime: uptime, becameReady: final.readyAt != nil, exitCode: status.exitCode)
    }

    /// Reads the worker's protocol lines. The first `READY=1` is recorded by a task of its own, so that a slow
    /// database never holds up the beats that follow.
    private func readProtocol(of child: ChildProcess, run: WorkerRun, spawned: Int64) async {
        guard let output = child.output else { return }
        await withTaskGroup(of: Void.self) { group in
            for await line in output.lines where run.receive(line, at: .now) {
                availability.withLock { $0 = Availability(unavailableSince: nil, lastAlert: nil) }
                group.addTask {
                    await self.database.append(NewEvent(EventKind.workerReady, parent: spawned, payload: ["pid": .int(Int64(child.pid))]))
                }
            }
        }
    }

    private func enforceDeadlines(on child: ChildProcess, run: WorkerRun, rev: String?) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(25))
            if Task.isCancelled { return }
            let replaced = pendingRequest.withLock { $0 != nil }
            let now = ContinuousClock.now
            let unready = trial.withLock { trial in
                trial.map { $0.rev == rev && run.snapshot.readyAt == nil && $0.expiredUnready(now: now, window: settings.probation) }
                    ?? false
            }
            let action = run.check(
                at: now, stopping: stop.isRaised || replaced, stopReason: stop.isRaised ? "stopped" : "replaced",
                probationExpired: unready, readyTimeout: settings.readyTimeout, watchdog: settings.watchdog,
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

    private func recordExit(spawned: Int64, status: TerminationStatus?, uptime: Duration, reason: String, error: String?) async {
        var payload: JSONObject = [
            "code": JSONValue(status?.exitCode), "signal": JSONValue(status?.signal),
            "uptime_ms": .int(uptime.wholeMilliseconds), "reason": .string(reason),
        ]
        if let error { payload["error"] = .string(error) }
        let failed = !["stopped", "replaced"].contains(reason) || status == nil
        logger.info(
            "worker exited", metadata: ["status": "\(status.map(String.init(describing:)) ?? "not started")", "reason": "\(reason)"])
        await database.append(NewEvent(EventKind.workerExited, parent: spawned, level: failed ? .warn : .info, payload: payload))
    }

    /// With nothing deployed, installs `--worker PATH` as the first artifact, points `current` at it and records
    /// it as the first promoted revision.
    private func promoteFallbackWorkerIfNothingDeployed(under process: Int64) async throws {
        guard artifacts.currentWorker == nil else { return }
        guard let fallback = settings.fallbackWorker else {
            throw SupervisorError(.noWorker, "nothing is deployed at \(artifacts.currentLink) and no --worker PATH was given")
        }
        let rev: String
        do {
            rev = try artifacts.install(binary: fallback)
            try artifacts.switchCurrent(to: rev)
        } catch {
            throw SupervisorError(.startFailed, "cannot install \(fallback) as the first worker: \(error)")
        }
        let path = artifacts.directory(of: rev)
        _ = await database.perform("record the first worker") { store throws(EventsError) in
            try store.database.write { connection throws(EventsError) in
                _ = try ArtifactTable(database: store.database).insert(
                    status: .promoted, rev: rev, path: path, metadata: ["rev": .string(rev), "source": .string(fallback)],
                    reason: "first worker (--worker)", in: connection)
                try store.append(
                    NewEvent(
                        EventKind.revisionPromoted, parent: process,
                        payload: ["rev": .string(rev), "reason": "first worker", "source": .string(fallback)]),
                    in: connection)
            }
        }
        logger.info("first worker promoted", metadata: ["rev": "\(rev)"])
    }

    // MARK: Alerts

    private func alertWhileUnavailable(under process: Int64) async {
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
            await database.append(
                NewEvent(
                    EventKind.alertSent, parent: process, level: .warn,
                    payload: [
                        "reason": "no_ready_worker", "unavailable_s": .int(down.components.seconds),
                        "delivered": .int(Int64(result.delivered)), "error": JSONValue(result.failure),
                    ]))
        }
    }
}

extension Optional {
    /// The value, leaving `nil` behind.
    fileprivate mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}
