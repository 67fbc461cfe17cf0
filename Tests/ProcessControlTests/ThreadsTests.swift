import Foundation
import Testing
import Threads

/// The pthread primitives that stand in for Foundation's `Thread` and `NSCondition` below the supervisor.
@Suite("Threads and conditions without Foundation", .timeLimit(.minutes(1)))
struct ThreadsTests {
    @Test("a detached thread runs its body under its name, and a broadcast wakes the waiter")
    func detachedThreadAndBroadcast() {
        let condition = Condition()
        nonisolated(unsafe) var name = ""
        nonisolated(unsafe) var done = false
        DetachedThread.start(name: "a-very-long-thread-name") {
            let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            condition.withLock {
                name = comm.trimmingCharacters(in: .newlines)
                done = true
                condition.broadcast()
            }
        }
        condition.lock()
        while !done { condition.wait(seconds: 1) }
        condition.unlock()
        #expect(name == "a-very-long-thr", "the kernel keeps 15 bytes of the name")
    }

    @Test("a timed wait with nobody to wake it returns after its time, on the monotonic clock")
    func timedWaitEnds() {
        let condition = Condition()
        let started = ContinuousClock.now
        condition.withLock { condition.wait(seconds: 0.2) }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(150) && waited < .seconds(5), "\(waited)")
    }
}
