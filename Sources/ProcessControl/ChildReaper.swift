import FoundationEssentials
import Threads

#if canImport(Glibc)
    import Glibc
#endif

/// The one place in a process that calls `waitpid`: it reaps every child, ours and adopted orphans alike.
///
/// A dedicated thread blocks in `waitpid(-1)`, so exit statuses are never lost between a spawn and its first
/// `wait`, and a program running as PID 1 (the supervisor in a container) leaves no zombie behind. Code that
/// spawns children must go through `ChildProcess` for this to hold. Each status goes to the child's own
/// `ChildExit`, which keeps it, so a waiter that comes late still finds it.
final class ChildReaper: @unchecked Sendable {  // Every stored property is guarded by `condition`.
    static let shared = ChildReaper()

    private let condition = Condition()
    private var alive: [pid_t: ChildExit] = [:]
    private var started = false

    /// Runs `spawn` under the reaper's lock and registers the pid it returns with `exit`, so the child cannot be
    /// reaped before it is known. Returns the pid.
    func spawn(recordingTo exit: ChildExit, _ spawn: () throws(ProcessControlError) -> pid_t) throws(ProcessControlError) -> pid_t {
        condition.lock()
        defer { condition.unlock() }
        let pid = try spawn()
        alive[pid] = exit
        if !started {
            started = true
            DetachedThread.start(name: "child-reaper") { [self] in reapForever() }
        }
        condition.broadcast()
        return pid
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
            if alive.isEmpty { condition.wait(seconds: 1) }
            condition.unlock()
        }
    }

    private func record(pid: pid_t, status: TerminationStatus) {
        let exit = condition.withLock { alive.removeValue(forKey: pid) }
        exit?.record(status)  // Without one, an adopted orphan: reaped, nobody to tell.
    }
}
