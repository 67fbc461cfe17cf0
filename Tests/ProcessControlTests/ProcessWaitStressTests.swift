import Foundation
import ProcessControl
import TestSupport
import Testing

/// The deadline case of `ProcessControlTests`, run many times beside CPU hogs: a lost wake-up between the reaper
/// and a waiter shows up as a run that never returns. Off by default (it takes a minute or more); on with
/// `AGENT_STRESS_PROCESS_WAITS=N` (N runs, e.g. 300), as `scripts/stress-process-waits.sh` does.
@Suite("Process waits under load", .timeLimit(.minutes(10)))
struct ProcessWaitStressTests {
    static let runs = Int(ProcessInfo.processInfo.environment["AGENT_STRESS_PROCESS_WAITS"] ?? "") ?? 0

    @Test(
        "the deadline case returns every time beside two CPU hogs",
        .enabled(if: runs > 0, "set AGENT_STRESS_PROCESS_WAITS=N to run it N times"))
    func deadlineUnderLoad() async throws {
        let hogs = try (0..<2).map { _ in
            try ChildProcess.spawn(
                ProcessSpec(executable: "/usr/bin/yes", arguments: [], environment: TestEnvironment.make(), standardOutput: .null))
        }
        defer { for hog in hogs { hog.signal(SIGKILL) } }
        // Four cases at a time (each takes its 300 ms deadline plus the 2 s grace of the TERM it ignores), so a few
        // hundred runs fit in a few minutes; the hogs keep both cores busy all along.
        let parallel = 4
        var hung = 0
        var slowest = Duration.zero
        var started = 0
        while started < Self.runs && hung < 3 {
            let batch = min(parallel, Self.runs - started)
            let outcomes = await withTaskGroup(of: (Bool?, Duration).self) { group in
                for _ in 0..<batch {
                    group.addTask {
                        let began = ContinuousClock.now
                        let finished = await Outcome.within(.seconds(20)) { await Self.deadlineCase() }
                        return (finished, ContinuousClock.now - began)
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            started += batch
            for (finished, took) in outcomes {
                slowest = max(slowest, took)
                switch finished {
                case nil:
                    hung += 1
                    Issue.record("a run of batch \(started / parallel) did not return within 20 s")
                case false?: Issue.record("a run of batch \(started / parallel): the child was not killed by its deadline")
                case true?: break
                }
            }
        }
        print("process-wait stress: \(started) runs, \(hung) hung, slowest \(slowest)")
        for hog in hogs { _ = await hog.wait(timeout: .seconds(5)) }
    }

    /// The deadline case of `ProcessControlTests.deadline`: whether the TERM-ignoring child was killed by SIGKILL.
    static func deadlineCase() async -> Bool {
        var spec = ProcessSpec(
            executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 100 & sleep 100; wait"], environment: TestEnvironment.make())
        spec.newSession = true
        let result = try? await ProcessRunner.run(spec, timeout: .milliseconds(300))
        return result?.timedOut == true && result?.status.signal == SIGKILL
    }
}
