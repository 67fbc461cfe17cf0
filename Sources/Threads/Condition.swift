#if canImport(Glibc)
    import Glibc
#endif

/// A mutex and one condition variable on POSIX threads, for code that blocks a thread of its own (Foundation's
/// `NSCondition` is not in FoundationEssentials, and the supervisor links no more than that).
///
/// Timed waits run on the monotonic clock, so a change of the wall clock neither shortens nor stretches them.
public final class Condition: @unchecked Sendable {  // The pthread objects are thread-safe by design.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let variable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(variable, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(variable)
        pthread_mutex_destroy(mutex)
        variable.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }

    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` with the mutex held.
    public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits for a `signal` or `broadcast`; the mutex must be held. May return spuriously, so callers loop on their
    /// own condition.
    public func wait() { pthread_cond_wait(variable, mutex) }

    /// Waits as `wait()` does, for at most `seconds`.
    public func wait(seconds: Double) {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let whole = seconds.rounded(.down)
        deadline.tv_sec += Int(whole)
        deadline.tv_nsec += Int((seconds - whole) * 1_000_000_000)
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        pthread_cond_timedwait(variable, mutex, &deadline)
    }

    /// Wakes one waiter; call it with the mutex held.
    public func signal() { pthread_cond_signal(variable) }

    /// Wakes every waiter; call it with the mutex held.
    public func broadcast() { pthread_cond_broadcast(variable) }
}
