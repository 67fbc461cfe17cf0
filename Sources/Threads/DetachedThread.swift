#if canImport(Glibc)
    import Glibc
#endif

/// Starts a POSIX thread that nobody joins, for a loop that blocks (in `waitpid`, `read`, a condition) for the life
/// of its owner. Foundation's `Thread` does the same but is not in FoundationEssentials.
public enum DetachedThread {
    /// Runs `body` on a new thread named `name` (Linux keeps the first 15 bytes, shown by `ps -L` and `top -H`).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(ThreadBody(name: name, run: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, runThreadBody, context)
        // Only a process out of threads or memory fails here; nothing it was started for could work then.
        precondition(result == 0, "pthread_create failed: \(result)")
        pthread_detach(thread)
    }
}

/// What a new thread runs, handed over through `pthread_create`'s context pointer.
private final class ThreadBody: Sendable {
    let name: String
    let run: @Sendable () -> Void

    init(name: String, run: @escaping @Sendable () -> Void) {
        self.name = name
        self.run = run
    }
}

/// The thread's entry point: names the thread, then runs its body.
private func runThreadBody(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
    nameCurrentThread(body.name)
    body.run()
    return nil
}

/// What `pthread_setname_np` does, which the Glibc module does not import: the kernel keeps the first 15 bytes.
private func nameCurrentThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = Array(name.utf8.prefix(15)).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}
