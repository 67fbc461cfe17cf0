import Events
import FoundationEssentials
import Logging
import ProcessControl
import Revisions
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Deploys, probation, promotions and rollbacks (SPEC section 6).
///
/// Order of a deploy: the SHA-256 of the approved binary checked again -> the `deploying` mark (the row and
/// `update.deploy.started`, one transaction) -> `current` switched by an atomic rename (the old target kept as
/// `previous`) -> the worker restarted on it -> probation -> `revision.promoted` with `update.deploy.completed`.
/// A rollback records its events and rows first and switches `current` last, so a supervisor killed in between
/// repeats the rollback on restart (`resumeInterruptedSwitch`) instead of running the failed revision again.
extension WorkerSupervisor {
    // MARK: Watching the database

    /// Looks for approved artifacts and rollback requests every `AGENT_UPDATE_POLL_MS`; what it finds ends the
    /// running worker's life (SIGTERM, the grace period) and is carried out by the main loop.
    func watchForRequests() async {
        while !stop.isRaised {
            if await stop.sleep(for: settings.updatePoll) { return }
            if pendingRequest.withLock({ $0 != nil }) { continue }
            let skip = requestInProgress.load(ordering: .relaxed)
            let found = await database.perform("look for updates", once: true) { store throws(EventsError) -> ControlRequest? in
                if let approved = try ArtifactTable(database: store.database).oldest(in: .approved) { return .deploy(approved) }
                if let request = try RollbackRequest.pending(in: store.database, after: skip) {
                    return .rollback(request: request.id, rev: request.rev)
                }
                return nil
            }
            guard let request = found ?? nil else { continue }
            // An artifact that would be refused does not cost the running worker its life.
            if case .deploy(let artifact) = request, let problem = deployProblem(artifact) {
                await refuseDeploy(artifact, problem: problem)
                continue
            }
            logger.info("update request", metadata: ["request": "\(request)"])
            pendingRequest.withLock { $0 = $0 ?? request }
        }
    }

    /// Carries out a request taken from the watcher.
    func carryOut(_ request: ControlRequest, under process: Int64) async {
        switch request {
        case .deploy(let artifact): await deploy(artifact, under: process)
        case .rollback(let id, let rev): await restore(request: id, rev: rev, under: process)
        }
    }

    // MARK: Deploy

    private func deploy(_ artifact: ArtifactRecord, under process: Int64) async {
        // Checked again: the binary may have changed since the watcher looked.
        if let problem = deployProblem(artifact) {
            await refuseDeploy(artifact, problem: problem)
            return
        }
        let history = await database.perform("read the promoted revisions") { store throws(EventsError) in
            try RevisionHistory(database: store.database)
        }
        guard let history, let rev = artifact.rev else { return }
        let fromRev = history.currentGood
        let payload: JSONObject = ["artifact_id": .int(artifact.id), "rev": .string(rev), "from_rev": JSONValue(fromRev)]
        guard
            let span = await database.perform(
                "mark deploying",
                { store throws(EventsError) -> Int64 in
                    try store.database.write { connection throws(EventsError) -> Int64 in
                        let span = try store.append(
                            NewEvent(EventKind.updateDeployStarted, parent: artifact.transactionEventID, payload: payload), in: connection)
                        try ArtifactTable(database: store.database).update(artifact.id, status: .deploying, in: connection)
                        return span
                    }
                })
        else { return }
        settings.failpoint.check(.afterDeployingMark)
        await switchAndTry(rev: rev, kind: .deploy(artifactID: artifact.id, span: span), fromRev: fromRev)
    }

    /// Why the approved artifact cannot be deployed (its worker missing, or not matching its rev), `nil` when it can.
    func deployProblem(_ artifact: ArtifactRecord) -> String? {
        guard let rev = artifact.rev, let worker = artifacts.worker(of: rev) else { return "artifact \(artifact.id) has no worker binary" }
        return (try? FileDigest.sha256(ofFile: worker)) == rev ? nil : "the SHA-256 of \(worker) is not its rev \(rev)"
    }

    /// Refuses the deploy before anything is switched: the row `rejected`, `update.deploy.started` and
    /// `update.deploy.failed {deployed: false}` in one transaction; the running worker goes on.
    func refuseDeploy(_ artifact: ArtifactRecord, problem: String) async {
        logger.error("deploy refused", metadata: ["artifact": "\(artifact.id)", "reason": "\(problem)"])
        _ = await database.perform("refuse the deploy") { store throws(EventsError) in
            let fromRev = try RevisionHistory(database: store.database).currentGood
            let payload: JSONObject = ["artifact_id": .int(artifact.id), "rev": JSONValue(artifact.rev), "from_rev": JSONValue(fromRev)]
            try store.database.write { connection throws(EventsError) in
                let span = try store.append(
                    NewEvent(EventKind.updateDeployStarted, parent: artifact.transactionEventID, payload: payload), in: connection)
                try ArtifactTable(database: store.database).update(artifact.id, status: .rejected, reason: problem, in: connection)
                try store.append(
                    NewEvent(
                        EventKind.updateDeployFailed, parent: span, level: .error,
                        payload: payload.merging(["reason": .string(problem), "deployed": false]) { _, new in new }),
                    in: connection)
            }
        }
    }

    /// Switches `current` to `rev` and puts it on trial; a switch that fails closes the trial as failed.
    private func switchAndTry(rev: String, kind: Probation.Kind, fromRev: String?) async {
        do {
            try artifacts.switchCurrent(to: rev)
        } catch {
            logger.error("cannot switch current", metadata: ["rev": "\(rev)", "error": "\(error.message)"])
            await closeFailedTrial(Probation(kind: kind, rev: rev, fromRev: fromRev, startedAt: .now), reason: error.message)
            return
        }
        settings.failpoint.check(.afterSwitch)
        logger.info("switched current", metadata: ["rev": "\(rev)", "from": "\(fromRev ?? "none")"])
        trial.withLock { $0 = Probation(kind: kind, rev: rev, fromRev: fromRev, startedAt: .now) }
    }

    /// At start: finishes a deploy whose supervisor died after the `deploying` mark (switching `current` when it
    /// still points at the old revision), repeats a rollback that died before its switch, and takes up a
    /// requested rollback that never completed.
    func resumeInterruptedSwitch(under process: Int64) async {
        let state = await database.perform("read interrupted deploys") { store throws(EventsError) in
            let table = ArtifactTable(database: store.database)
            let deploying = try table.oldest(in: .deploying)
            let span = try deploying.flatMap { artifact throws(EventsError) in
                try store.database.query(
                    "SELECT id FROM events WHERE kind = ? AND json_extract(payload, '$.artifact_id') = ? ORDER BY id DESC LIMIT 1",
                    [.text(EventKind.updateDeployStarted), .integer(artifact.id)]
                ).first?[0].int64
            }
            let current = self.artifacts.currentRev
            let currentRow = try current.flatMap { rev throws(EventsError) in try table.find(rev: rev) }
            return (deploying, span, try RevisionHistory(database: store.database), currentRow)
        }
        guard let (deploying, span, history, currentRow) = state else { return }
        if let deploying, let rev = deploying.rev, let span {
            logger.notice("finishing an interrupted deploy", metadata: ["rev": "\(rev)", "current": "\(artifacts.currentRev ?? "none")"])
            await switchAndTry(rev: rev, kind: .deploy(artifactID: deploying.id, span: span), fromRev: history.currentGood)
            return
        }
        if let currentRow, currentRow.status == .rolledBack, let good = history.currentGood, good != currentRow.rev,
            artifacts.worker(of: good) != nil
        {
            logger.notice("repeating an interrupted rollback", metadata: ["from": "\(currentRow.rev ?? "?")", "to": "\(good)"])
            try? artifacts.switchCurrent(to: good)
        }
    }

    // MARK: Probation

    /// While a worker of the revision on trial runs: promotes the revision once the worker has been ready long
    /// enough.
    func holdProbation(run: WorkerRun, rev: String?, under process: Int64) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(25))
            let now = ContinuousClock.now
            let passed = trial.withLock { trial -> Probation? in
                guard var current = trial, current.rev == rev, let readyAt = run.snapshot.readyAt, run.snapshot.killReason == nil
                else { return nil }
                current.everReady = true
                trial = current
                return current.passes(readyAt: readyAt, now: now, window: settings.probation) ? current : nil
            }
            guard let passed else { continue }
            await promote(passed, under: process)
            trial.withLock { if $0?.rev == passed.rev { $0 = nil } }
            return
        }
    }

    private func promote(_ passed: Probation, under process: Int64) async {
        logger.notice("revision promoted", metadata: ["rev": "\(passed.rev)"])
        _ = await database.perform("promote") { store throws(EventsError) in
            try store.database.write { connection throws(EventsError) in
                let table = ArtifactTable(database: store.database)
                switch passed.kind {
                case .deploy(let artifactID, let span):
                    try store.append(
                        NewEvent(
                            EventKind.revisionPromoted, parent: span, payload: ["rev": .string(passed.rev), "reason": "probation passed"]),
                        in: connection)
                    try store.append(
                        NewEvent(
                            EventKind.updateDeployCompleted, parent: span,
                            payload: [
                                "artifact_id": .int(artifactID), "rev": .string(passed.rev), "from_rev": JSONValue(passed.fromRev),
                                "probation_s": .int(self.settings.probation.components.seconds),
                            ]),
                        in: connection)
                    try table.update(artifactID, status: .promoted, in: connection)
                case .restore(let request):
                    try store.append(
                        NewEvent(EventKind.revisionPromoted, parent: request, payload: ["rev": .string(passed.rev), "reason": "rollback"]),
                        in: connection)
                    try store.append(
                        NewEvent(
                            EventKind.updateRollbackCompleted, parent: request,
                            payload: ["ok": true, "rev": .string(passed.rev), "from_rev": JSONValue(passed.fromRev)]),
                        in: connection)
                    try table.mark(rev: passed.rev, .promoted, from: [.rolledBack, .deploying], reason: nil, in: connection)
                }
            }
        }
        if case .restore = passed.kind { requestInProgress.store(0, ordering: .relaxed) }
    }

    // MARK: Rollback

    /// After a worker's exit: rolls back a revision on trial that crash-loops or was never ready in its window,
    /// and any crash-looping revision that is not `current_good_rev`. Returns whether it rolled back.
    func rollBackIfFailing(outcome: Outcome, crashLoop: Bool, under process: Int64) async -> Bool {
        let now = ContinuousClock.now
        let current = trial.withLock { $0 }
        if let current, current.rev == outcome.rev {
            let reason: String? =
                crashLoop ? "crash_loop" : current.expiredUnready(now: now, window: settings.probation) ? "not_ready" : nil
            guard let reason else { return false }
            return await rollBack(current, reason: reason, under: process)
        }
        guard crashLoop, let rev = outcome.rev else { return false }
        let good = await database.perform("read current_good_rev") { store throws(EventsError) in
            try DerivedState(database: store.database).currentGoodRev()
        }
        guard let good = good ?? nil, good != rev, artifacts.worker(of: good) != nil else { return false }
        return await rollBack(from: rev, to: good, reason: "crash_loop", parent: process, closing: nil)
    }

    /// Rolls a failed trial back to the revision it replaced.
    private func rollBack(_ failed: Probation, reason: String, under process: Int64) async -> Bool {
        trial.withLock { $0 = nil }
        let good = await database.perform("read current_good_rev") { store throws(EventsError) in
            try DerivedState(database: store.database).currentGoodRev()
        }
        let target = [failed.fromRev, good ?? nil].compactMap { $0 }.first { $0 != failed.rev && artifacts.worker(of: $0) != nil }
        guard let target else {
            logger.error("no revision to roll back to", metadata: ["rev": "\(failed.rev)"])
            await closeFailedTrial(failed, reason: "\(reason); no earlier revision to roll back to")
            return false
        }
        return await rollBack(from: failed.rev, to: target, reason: reason, parent: failed.parentEvent, closing: failed)
    }

    /// Records the rollback (and closes the failed trial), then switches `current` to `target`.
    private func rollBack(from rev: String, to target: String, reason: String, parent: Int64, closing failed: Probation?) async -> Bool {
        logger.error("rolling back", metadata: ["from": "\(rev)", "to": "\(target)", "reason": "\(reason)"])
        _ = await database.perform("record the rollback") { store throws(EventsError) in
            try store.database.write { connection throws(EventsError) in
                try store.append(
                    NewEvent(
                        EventKind.rollbackAttempted, parent: parent, level: .warn,
                        payload: ["from_rev": .string(rev), "to_rev": .string(target), "reason": .string(reason)]),
                    in: connection)
                try self.recordFailure(of: failed, reason: reason, rolledBackTo: target, store: store, in: connection)
                try ArtifactTable(database: store.database).mark(
                    rev: rev, .rolledBack, from: [.deploying, .promoted, .approved], reason: "rolled back: \(reason)", in: connection)
            }
        }
        do {
            try artifacts.switchCurrent(to: target)
        } catch {
            logger.error("cannot switch current back", metadata: ["to": "\(target)", "error": "\(error.message)"])
            return false
        }
        return true
    }

    /// Closes a trial that failed without a rollback (no earlier revision, or a switch that failed).
    private func closeFailedTrial(_ failed: Probation, reason: String) async {
        trial.withLock { $0 = nil }
        _ = await database.perform("record the failed deploy") { store throws(EventsError) in
            try store.database.write { connection throws(EventsError) in
                try self.recordFailure(of: failed, reason: reason, rolledBackTo: nil, store: store, in: connection)
                if case .deploy(let artifactID, _) = failed.kind {
                    try ArtifactTable(database: store.database).update(artifactID, status: .rolledBack, reason: reason, in: connection)
                }
            }
        }
    }

    /// The closing event of a failed trial: `update.deploy.failed`, or `update.rollback.completed` with ok false.
    private func recordFailure(
        of failed: Probation?, reason: String, rolledBackTo target: String?, store: EventStore, in connection: Connection
    ) throws(EventsError) {
        guard let failed else { return }
        switch failed.kind {
        case .deploy(let artifactID, let span):
            try store.append(
                NewEvent(
                    EventKind.updateDeployFailed, parent: span, level: .error,
                    payload: [
                        "artifact_id": .int(artifactID), "rev": .string(failed.rev), "reason": .string(reason),
                        "rolled_back_to": JSONValue(target),
                    ]),
                in: connection)
        case .restore(let request):
            try store.append(
                NewEvent(
                    EventKind.updateRollbackCompleted, parent: request, level: .error,
                    payload: ["ok": false, "rev": .string(failed.rev), "error": .string(reason), "rolled_back_to": JSONValue(target)]),
                in: connection)
            requestInProgress.store(0, ordering: .relaxed)
        }
    }

    /// A requested rollback: to `rev`, or to the revision promoted before the current good one. The restored
    /// revision is promoted again at its first `READY`.
    private func restore(request: Int64, rev: String?, under process: Int64) async {
        let history = await database.perform("read the promoted revisions") { store throws(EventsError) in
            try RevisionHistory(database: store.database)
        }
        guard let history else { return }
        let current = artifacts.currentRev
        let target = rev ?? history.promoted.first { $0 != current && $0 != history.currentGood } ?? history.previousGood
        guard let target, artifacts.worker(of: target) != nil else {
            let error = target.map { "no artifact folder for \($0)" } ?? "no earlier good revision to roll back to"
            await database.append(
                NewEvent(
                    EventKind.updateRollbackCompleted, parent: request, level: .error, payload: ["ok": false, "error": .string(error)]))
            return
        }
        if let failed = trial.withLock({ $0.take() }) {
            _ = await database.perform("close the replaced trial") { store throws(EventsError) in
                try store.database.write { connection throws(EventsError) in
                    try self.recordFailure(
                        of: failed, reason: "replaced by a requested rollback", rolledBackTo: target, store: store, in: connection)
                }
            }
        }
        requestInProgress.store(request, ordering: .relaxed)
        if let current, current != target {
            _ = await database.perform("record the requested rollback") { store throws(EventsError) in
                try store.database.write { connection throws(EventsError) in
                    try store.append(
                        NewEvent(
                            EventKind.rollbackAttempted, parent: request,
                            payload: ["from_rev": .string(current), "to_rev": .string(target), "reason": "requested"]),
                        in: connection)
                    try ArtifactTable(database: store.database).mark(
                        rev: current, .rolledBack, from: [.promoted, .deploying], reason: "rolled back by request", in: connection)
                }
            }
        }
        await switchAndTry(rev: target, kind: .restore(request: request), fromRev: current)
    }
}
