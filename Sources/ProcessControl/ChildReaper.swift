import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one place in a process that calls `waitpid`: it reaps every child, ours and adopted orphans alike.
///
/// A dedicated thread blocks in `waitpid(-1)`, so exit statuses are never lost between a spawn and its first
/// `wait`, and a program running as PID 1 (the supervisor in a container) leaves no zombie behind. Code that
/// spawns children must go through `ChildProcess` for this to hold. Children are known by a serial number,
/// not by pid, because pids are reused.
final class ChildReaper: @unchecked Sendable {  // Every stored property is guarded by `condition`.
    static let shared = ChildReaper()

    private let condition = NSCondition()
    private var nextSerial: UInt64 = 0
    private var alive: [pid_t: UInt64] = [:]
    private var finished: [UInt64: TerminationStatus] = [:]
    private var waiters: [UInt64: [CheckedContinuation<TerminationStatus, Never>]] = [:]
    private var started = false

    /// Runs `spawn` under the reaper's lock and registers the pid it returns, so the child cannot be reaped
    /// before it is known. Returns the pid and the serial to wait on.
    func spawn(_ spawn: () throws(ProcessControlError) -> pid_t) throws(ProcessControlError) -> (pid: pid_t, serial: UInt64) {
        condition.lock()
        defer { condition.unlock() }
        let pid = try spawn()
        nextSerial += 1
        alive[pid] = nextSerial
        if !started {
            started = true
            let thread = Thread { [self] in reapForever() }
            thread.name = "child-reaper"
            thread.start()
        }
        condition.broadcast()
        return (pid, nextSerial)
    }

    /// Waits for the child with this serial to end; the status is handed out once.
    func wait(for serial: UInt64) async -> TerminationStatus {
        await withCheckedContinuation { continuation in
            condition.lock()
            if let status = finished.removeValue(forKey: serial) {
                condition.unlock()
                continuation.resume(returning: status)
            } else {
                waiters[serial, default: []].append(continuation)
                condition.unlock()
            }
        }
    }

    private func reapForever() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid > 0 {
                record(pid: pid, status: TerminationStatus(waitStatus: status))
                continue
            }
            if errno == EINTR { continue }
            // No child at all: sleep until one is spawned, or a second has passed (an orphan may be adopted).
            condition.lock()
            if alive.isEmpty { _ = condition.wait(until: Date().addingTimeInterval(1)) }
            condition.unlock()
        }
    }

    private func record(pid: pid_t, status: TerminationStatus) {
        condition.lock()
        guard let serial = alive.removeValue(forKey: pid) else {
            condition.unlock()
            return  // An adopted orphan: reaped, nobody to tell.
        }
        let continuations = waiters.removeValue(forKey: serial) ?? []
        if continuations.isEmpty { finished[serial] = status }
        condition.unlock()
        for continuation in continuations { continuation.resume(returning: status) }
    }
}
