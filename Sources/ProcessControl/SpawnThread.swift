import FoundationEssentials
import Threads

#if canImport(Glibc)
    import Glibc
#endif

/// The one thread every child of the process is spawned from; it lives as long as the process.
///
/// Linux sends a child its `PR_SET_PDEATHSIG` signal when the *thread* that spawned it exits, not the process.
/// The threads of Swift's cooperative pool end after a few idle seconds, and bubblewrap's `--die-with-parent` (the
/// fence of `bash` and of every step of a stage) is such a signal: a fenced command spawned from a pool thread was
/// killed with SIGKILL about 5 s in, whatever its deadline. Spawned from this thread, the signal means what it
/// says: the process is gone.
final class SpawnThread: @unchecked Sendable {  // `condition` guards `pending` and every job's `done`.
    static let shared = SpawnThread()

    /// One call to run on the thread. `body` is the caller's non-escaping closure: valid while its caller waits,
    /// and released before `done`, so it never outlives the call.
    private final class Job {
        private var body: (() -> Void)?
        var done = false

        init(body: @escaping () -> Void) { self.body = body }

        func run() {
            body?()
            body = nil
        }
    }

    private let condition = Condition()
    private var pending: [Job] = []

    private init() {
        DetachedThread.start(name: "child-spawner") { [self] in serveForever() }
    }

    /// Runs `body` on the spawning thread and returns when it has run.
    func perform(_ body: () -> Void) {
        withoutActuallyEscaping(body) { body in
            let job = Job(body: body)
            condition.lock()
            pending.append(job)
            condition.broadcast()
            while !job.done { condition.wait() }
            condition.unlock()
        }
    }

    private func serveForever() {
        while true {
            condition.lock()
            while pending.isEmpty { condition.wait() }
            let job = pending.removeFirst()
            condition.unlock()
            job.run()
            condition.lock()
            job.done = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
