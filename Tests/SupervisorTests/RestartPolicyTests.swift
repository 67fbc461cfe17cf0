import Supervisor
import Testing

@Suite("Restart policy", .timeLimit(.minutes(1)))
struct RestartPolicyTests {
    @Test("the backoff ceiling doubles from the base and stops at the cap")
    func ceilings() {
        let backoff = Backoff(base: .milliseconds(1000), max: .seconds(60))
        #expect((0..<8).map { backoff.ceiling(attempt: $0) } == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(backoff.ceiling(attempt: 500) == .seconds(60))
    }

    @Test("full jitter draws anywhere from zero to the ceiling")
    func jitterBounds() {
        let backoff = Backoff(base: .milliseconds(1000), max: .seconds(60))
        var system = SystemRandomNumberGenerator()
        let delays = (0..<500).map { _ in backoff.delay(attempt: 2, using: &system) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .seconds(4) })
        #expect(Set(delays).count > 100)
        #expect(delays.min()! < .seconds(1))
        #expect(delays.max()! > .seconds(3))
    }

    func detector() -> CrashLoopDetector {
        CrashLoopDetector(crashWindow: .seconds(600), crashMax: 5, crashBeforeReadyMax: 3, stableReset: .seconds(600))
    }

    @Test("exits of ready workers make a crash loop at crashMax within the window")
    func crashMaxInWindow() {
        var detector = detector()
        let start = ContinuousClock.now
        for index in 0..<4 {
            #expect(
                detector.recordExit(at: start + .seconds(index * 10), uptime: .seconds(5), becameReady: true) == .restart(attempt: index))
        }
        #expect(detector.recordExit(at: start + .seconds(40), uptime: .seconds(5), becameReady: true) == .crashLoop(exits: 5, attempt: 4))
    }

    @Test("exits spread wider than the window are no crash loop")
    func exitsOutsideWindow() {
        var detector = detector()
        let start = ContinuousClock.now
        for index in 0..<10 {
            let verdict = detector.recordExit(at: start + .seconds(index * 200), uptime: .seconds(100), becameReady: true)
            if case .crashLoop = verdict { Issue.record("exit \(index) judged a crash loop") }
        }
    }

    @Test("workers that never become ready make a crash loop sooner")
    func beforeReady() {
        var detector = detector()
        let start = ContinuousClock.now
        #expect(detector.recordExit(at: start, uptime: .milliseconds(10), becameReady: false) == .restart(attempt: 0))
        #expect(detector.recordExit(at: start + .seconds(1), uptime: .milliseconds(10), becameReady: false) == .restart(attempt: 1))
        #expect(
            detector.recordExit(at: start + .seconds(2), uptime: .milliseconds(10), becameReady: false) == .crashLoop(exits: 3, attempt: 2))
    }

    @Test("a worker that ran past the stable period forgets earlier failures")
    func stableReset() {
        var detector = detector()
        let start = ContinuousClock.now
        for index in 0..<4 { _ = detector.recordExit(at: start + .seconds(index), uptime: .seconds(1), becameReady: true) }
        #expect(detector.recordExit(at: start + .seconds(700), uptime: .seconds(650), becameReady: true) == .restart(attempt: 0))
        #expect(detector.attempt == 1)
    }
}
