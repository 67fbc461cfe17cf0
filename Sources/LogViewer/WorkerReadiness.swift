import Events
import Foundation

/// Whether a worker is serving now, as the database and the supervisor's lock tell: `agent-log ready`, the
/// container's health check.
///
/// Read from the newest supervisor `process.started`: a worker is ready when the newest `worker.spawned` under it has
/// a `worker.ready` and no `worker.exited`, and the supervisor has not recorded `process.stopped`. A supervisor that
/// died without recording its stop (SIGKILL) leaves that state behind, so the answer also needs its `flock` on
/// `<AGENT_DB>.lock` to be held (`SupervisorLockProbe`).
public struct WorkerReadiness: Sendable, Equatable {
    /// What the supervisor and its worker are doing.
    public enum State: String, Sendable {
        /// A worker sent `READY=1` and has not exited.
        case ready
        /// A worker was spawned (or is about to be) and has not sent `READY=1` yet.
        case starting
        /// The last worker exited; the supervisor is waiting to start the next.
        case restarting
        /// The supervisor stopped, or died (its lock is free).
        case stopped
        /// No supervisor ever ran on this database.
        case none
    }

    public let state: State
    /// The worker's instance, rev and pid, when one was spawned.
    public let instance: Int64?
    public let rev: String?
    public let pid: Int64?
    /// Since when the state holds (unix ms).
    public let since: Int64?
    /// One sentence for a person.
    public let detail: String

    public var isReady: Bool { state == .ready }

    /// Reads the state; `supervisorLockHeld` is `nil` when the lock cannot be checked (then only the database counts).
    public static func load(from database: Database, supervisorLockHeld: Bool?, now: Int64) throws(EventsError) -> WorkerReadiness {
        let reader = EventReader(database: database)
        guard let supervisor = try reader.latest(kind: EventKind.processStarted, source: .supervisor) else {
            return WorkerReadiness(
                state: .none, instance: nil, rev: nil, pid: nil, since: nil, detail: "no supervisor has run on this database yet")
        }
        let children = try reader.children(of: supervisor.id)
        if let stopped = children.last(where: { $0.kind == EventKind.processStopped }) {
            let reason = stopped.payloadObject?["reason"]?.stringValue ?? "unknown"
            return WorkerReadiness(
                state: .stopped, instance: nil, rev: nil, pid: nil, since: stopped.ts,
                detail: "the supervisor stopped \(ago(stopped.ts, now)) (\(reason))")
        }
        if supervisorLockHeld == false {
            return WorkerReadiness(
                state: .stopped, instance: nil, rev: nil, pid: nil, since: nil,
                detail: "the supervisor (pid \(supervisor.pid.map(String.init) ?? "?")) is gone without recording a stop: its lock is free")
        }
        guard let spawned = children.last(where: { $0.kind == EventKind.workerSpawned }) else {
            return WorkerReadiness(
                state: .starting, instance: nil, rev: nil, pid: nil, since: supervisor.ts,
                detail: "the supervisor started \(ago(supervisor.ts, now)) and has spawned no worker yet")
        }
        let payload = spawned.payloadObject ?? [:]
        let instance = payload["instance"]?.int64Value
        let rev = payload["rev"]?.stringValue
        let name = "worker \(instance.map(String.init) ?? "?") (rev \(rev.map { String($0.prefix(12)) } ?? "?"))"
        let workerEvents = try reader.children(of: spawned.id)
        if let exited = workerEvents.last(where: { $0.kind == EventKind.workerExited }) {
            let reason = exited.payloadObject?["reason"]?.stringValue ?? "unknown"
            return WorkerReadiness(
                state: .restarting, instance: instance, rev: rev, pid: nil, since: exited.ts,
                detail: "\(name) exited \(ago(exited.ts, now)) (\(reason)); the next one is not ready yet")
        }
        guard let ready = workerEvents.last(where: { $0.kind == EventKind.workerReady }) else {
            return WorkerReadiness(
                state: .starting, instance: instance, rev: rev, pid: nil, since: spawned.ts,
                detail: "\(name) was spawned \(ago(spawned.ts, now)) and is not ready yet")
        }
        let pid = ready.payloadObject?["pid"]?.int64Value
        return WorkerReadiness(
            state: .ready, instance: instance, rev: rev, pid: pid, since: ready.ts,
            detail: "\(name) ready since \(ago(ready.ts, now)), pid \(pid.map(String.init) ?? "?")")
    }

    /// `ready: worker 3 (rev 1a2b3c4d5e6f) ready since 2m05s ago, pid 42`.
    public var line: String { "\(state.rawValue): \(detail)" }

    /// The state as one JSON object.
    public var json: String {
        let object: JSONObject = [
            "ready": .bool(isReady), "state": .string(state.rawValue), "instance": JSONValue(instance), "rev": JSONValue(rev),
            "pid": JSONValue(pid), "since": JSONValue(since), "detail": .string(detail),
        ]
        var output = "{"
        for (index, key) in ["ready", "state", "instance", "rev", "pid", "since", "detail"].enumerated() {
            if index > 0 { output += "," }
            JSONValue.writeString(key, to: &output)
            output += ":"
            object[key]?.write(to: &output)
        }
        return output + "}"
    }

    private static func ago(_ ts: Int64, _ now: Int64) -> String {
        "\(EventFormatter.duration(max(0, now - ts))) ago"
    }
}
