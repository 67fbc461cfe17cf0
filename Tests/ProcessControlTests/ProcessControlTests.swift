import Foundation
import ProcessControl
import Synchronization
import TestSupport
import Testing

@Suite("Process control", .timeLimit(.minutes(2)))
struct ProcessControlTests {
    func sh(_ script: String) -> ProcessSpec {
        ProcessSpec(executable: "/bin/sh", arguments: ["-c", script], environment: TestEnvironment.make())
    }

    @Test("exit codes and signals are reported as they happened")
    func statuses() async throws {
        #expect(try await ProcessRunner.run(sh("exit 3")).status == .exited(3))
        #expect(try await ProcessRunner.run(sh("kill -KILL $$")).status == .signaled(SIGKILL))
        let output = try await ProcessRunner.run(sh("echo out; echo err >&2"))
        #expect(output.standardOutput == "out\n")
        #expect(output.standardError == "err\n")
    }

    @Test("the child gets exactly the given environment and no other file descriptor than its three streams")
    func isolation() async throws {
        let fd = open("/dev/null", O_RDONLY)  // Not close-on-exec: a careless spawn would pass it on.
        defer { close(fd) }
        var spec = sh("env; ls /proc/self/fd")
        spec.environment = ["PATH": "/usr/bin:/bin", "ONLY": "this"]
        let result = try await ProcessRunner.run(spec)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.contains("ONLY=this"))
        #expect(!lines.contains { $0.hasPrefix("HOME=") })
        let descriptors = lines.compactMap { Int($0) }.filter { $0 > 2 }
        #expect(descriptors.count <= 1, "inherited descriptors: \(descriptors)")  // ls's own directory handle only
    }

    @Test("a child printing far more than a pipe holds never blocks, and only the tail is kept")
    func largeOutput() async throws {
        let result = try await ProcessRunner.run(sh("head -c 5000000 /dev/zero | tr '\\0' x; echo END"), outputLimit: 1000)
        #expect(result.status == .exited(0))
        #expect(result.standardOutput.utf8.count == 1000)
        #expect(result.standardOutput.hasSuffix("xEND\n"))
    }

    @Test("past its deadline a child and its whole group are killed, a TERM-ignoring one too")
    func deadline() async throws {
        var spec = sh("trap '' TERM; sleep 100 & sleep 100; wait")
        spec.newSession = true
        let started = ContinuousClock.now
        let result = try await ProcessRunner.run(spec, timeout: .milliseconds(300))
        #expect(result.timedOut)
        #expect(result.status.signal == SIGKILL)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a child whose parent-death signal is set outlives the thread that asked for it (bubblewrap's --die-with-parent)")
    func parentDeathSignalFollowsTheProcess() async throws {
        // setpriv sets PR_SET_PDEATHSIG, which Linux fires when the spawning *thread* exits. This thread exits as soon
        // as the signal is set (setpriv has become `sleep`).
        let spawned = Mutex<Result<ChildProcess, ProcessControlError>?>(nil)
        let thread = Thread {
            let result = Result { () throws(ProcessControlError) in try ChildProcess.spawn(sh("exec setpriv --pdeathsig KILL -- sleep 1")) }
            if case .success(let child) = result {
                let deadline = Date().addingTimeInterval(5)
                while (try? String(contentsOfFile: "/proc/\(child.pid)/comm", encoding: .utf8)) != "sleep\n", Date() < deadline {
                    usleep(1000)
                }
            }
            spawned.withLock { $0 = result }
        }
        thread.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while spawned.withLock({ $0 == nil }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let child = try #require(try spawned.withLock { $0 }?.get())
        let status = await Outcome.within(.seconds(10)) { await child.wait() }
        #expect(status == .exited(0), "killed when the thread that spawned it exited")
    }

    @Test("a wait started after the exit, or beside other waits, gets the status; none of them hangs")
    func lateAndConcurrentWaits() async throws {
        for _ in 0..<20 {
            let child = try ChildProcess.spawn(sh("exit 7"))
            let early = Task { await child.wait() }
            let statuses = await Outcome.within(.seconds(10)) {
                let first = await early.value
                async let second = child.wait()
                async let third = child.wait(timeout: .seconds(5))
                return [first, await second, await third.status, await child.wait()]
            }
            #expect(statuses == [.exited(7), .exited(7), .exited(7), .exited(7)])
        }
    }

    @Test("cancelling a wait kills the child's group and returns at once")
    func cancelledWait() async throws {
        var spec = sh("trap '' TERM; sleep 100 & sleep 100; wait")
        spec.newSession = true
        let child = try ChildProcess.spawn(spec)
        let waiting = Task { await child.wait() }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        #expect(await Outcome.within(.seconds(5)) { await waiting.value } == .signaled(SIGKILL))

        let timed = try ChildProcess.spawn(spec)
        let started = ContinuousClock.now
        let waitingWithDeadline = Task { await timed.wait(timeout: .seconds(100), grace: .seconds(100)) }
        try await Task.sleep(for: .milliseconds(100))
        waitingWithDeadline.cancel()
        let result = await Outcome.within(.seconds(5)) { await waitingWithDeadline.value }
        #expect(result?.status == .signaled(SIGKILL))
        #expect(ContinuousClock.now - started < .seconds(5))
        let gone = ContinuousClock.now + .seconds(5)  // The killed background sleep is an orphan until init reaps it.
        while kill(-timed.pid, 0) == 0 && ContinuousClock.now < gone { try await Task.sleep(for: .milliseconds(20)) }
        #expect(kill(-timed.pid, 0) != 0, "the background sleep of the group was killed too")
    }

    @Test("the doorbell wakes a waiter, remembers a ring made before the wait, and times out otherwise")
    func doorbell() async {
        let bell = Doorbell()
        bell.ring()
        let clock = ContinuousClock()
        var started = clock.now
        await bell.wait(upTo: .seconds(5))
        #expect(clock.now - started < .seconds(1))
        started = clock.now
        await bell.wait(upTo: .milliseconds(100))
        #expect(clock.now - started >= .milliseconds(100))
        Task {
            try? await Task.sleep(for: .milliseconds(50))
            bell.ring()
        }
        started = clock.now
        await bell.wait(upTo: .seconds(5))
        #expect(clock.now - started < .seconds(2))
    }

    @Test("the doorbell wakes every waiter, and a cancelled wait leaves a later ring for the next one")
    func doorbellWaiters() async throws {
        let bell = Doorbell()
        let clock = ContinuousClock()
        let started = clock.now
        let woken = await Outcome.within(.seconds(10)) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { await bell.wait(upTo: .seconds(30)) } }
                try? await Task.sleep(for: .milliseconds(200))
                bell.ring()
                await group.waitForAll()
                return true
            }
        }
        #expect(woken == true)
        #expect(clock.now - started < .seconds(5))

        let cancelled = Task { await bell.wait(upTo: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        #expect(await Outcome.within(.seconds(5)) { await cancelled.value } != nil)
        bell.ring()
        let next = clock.now
        await bell.wait(upTo: .seconds(5))
        #expect(clock.now - next < .seconds(1), "the ring after the cancelled wait was kept")
    }

    @Test("a deadline cancels slow work and lets fast work through")
    func deadlines() async throws {
        #expect(try await Deadline.run(after: .seconds(5)) { 42 } == 42)
        await #expect(throws: Deadline.Passed.self) {
            try await Deadline.run(after: .milliseconds(50)) { try await Task.sleep(for: .seconds(10)) }
        }
    }

    @Test("a stop signal ends sleeps at once, and stays raised")
    func stopSignal() async {
        let stop = StopSignal()
        Task {
            try? await Task.sleep(for: .milliseconds(50))
            stop.raise()
        }
        #expect(await stop.sleep(for: .seconds(10)))
        #expect(stop.isRaised)
        await stop.wait()
    }
}
