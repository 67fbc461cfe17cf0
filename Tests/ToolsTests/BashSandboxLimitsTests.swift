import Events
import Fence
import Foundation
import Testing

@testable import Tools

/// What `bash` may use up: the file-size limit (`AGENT_BASH_MAX_FILE_MB`) and the process count
/// (`AGENT_BASH_MAX_PROCS`), and what the status says about them (issue 8, item 8).
@Suite(.enabled("bubblewrap works on this machine") { await SandboxCheck.works() }, .timeLimit(.minutes(2)))
struct BashSandboxLimitsTests {
    @Test func writingAFileOverTheLimitFails() async throws {
        let fixture = try await ToolFixture(sandboxed: true, environment: ["AGENT_BASH_MAX_FILE_MB": "1"])
        #expect(fixture.registry.sandbox.summary.contains("max_file_mb 1: enforced (RLIMIT_FSIZE)"))
        let command = """
            head -c 500000 /dev/zero > small; echo $?; head -c 2000000 /dev/zero > big; echo $?
            (trap '' XFSZ; head -c 2000000 /dev/zero > ignored) 2>&1 | grep -c 'File too large'; wc -c < big; ulimit -f unlimited
            """
        let envelope = await fixture.call("bash", ["command": .string(command)]).envelope
        // 153 = 128 + SIGXFSZ; with the signal ignored, the write fails with EFBIG; the limit cannot be raised.
        #expect(envelope.stdout == "0\n153\n1\n1048576\n", "\(envelope.json)")
        #expect(envelope.stderr.contains("Operation not permitted") || envelope.stderr.contains("cannot modify limit"))
        #expect(try FileManager.default.attributesOfItem(atPath: "\(fixture.workspace)/big")[.size] as? Int == 1 << 20)
    }

    @Test func forkingPastTheLimitFailsOrTheStatusSaysItDoesNotHold() async throws {
        let fixture = try await ToolFixture(sandboxed: true, environment: ["AGENT_BASH_MAX_PROCS": "20"])
        let limits = try #require(fixture.registry.sandbox.limits)
        if case .notEnforced = limits.processCount {
            #expect(fixture.registry.sandbox.summary.contains("max_procs 20: not enforced: "))
            return
        }
        #expect(fixture.registry.sandbox.summary.contains("max_procs 20: enforced ("))
        // dash gives up at the first failed fork (bash would retry for 15 s); the rest uses builtins only, as no
        // fork is left to the command once it is at the limit.
        let command = """
            sh -c 'i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done; echo started $i'; echo "sh exited $?"
            n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo "$n"
            """
        let envelope = await fixture.call("bash", ["command": .string(command), "timeout_s": 60]).envelope
        let lines = envelope.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "sh exited 2", "\(envelope.json)")
        #expect((Int(lines.last ?? "") ?? 99) <= 20, "\(envelope.json)")
        #expect(envelope.stderr.contains("Cannot fork"))
        #expect(envelope.durationMs < 30_000)
    }

    @Test func eachCommandGetsACgroupOfItsOwnRemovedWhenItEnds() async throws {
        let fixture = try await ToolFixture(sandboxed: true, environment: ["AGENT_BASH_MAX_PROCS": "20"])
        guard case .cgroup(let parent) = fixture.registry.sandbox.limits?.processCount else { return }
        // 12 sleeps each: within 20 apiece, past it if the two shared a count.
        let command = #"""
            {"command": "while read -r l; do case $l in *pids*|0::*) echo \"${l##*/}\";; esac; done < /proc/self/cgroup; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 2 & done; wait"}
            """#
        async let first = fixture.call("bash", command)
        async let second = fixture.call("bash", command)
        let (one, two) = await (first.envelope, second.envelope)
        #expect(one.ok && two.ok, "\(one.json) \(two.json)")
        #expect(one.stderr.isEmpty && two.stderr.isEmpty)
        let names = [one.stdout, two.stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(names[0].hasPrefix("agent-fence-") && names[1].hasPrefix("agent-fence-") && names[0] != names[1])
        for name in names { #expect(!FileManager.default.fileExists(atPath: "\(parent)/\(name)")) }
    }
}

/// How `/status` and `process.started` name each limit, for each way the process count may hold.
@Suite(.timeLimit(.minutes(1)))
struct SandboxLimitsSummaryTests {
    @Test func theStatusSaysWhichLimitsHold() {
        let reason = "root is not bound by RLIMIT_NPROC and no pids controller in this process's cgroups"
        let cases: [(SandboxLimits.ProcessCount, String)] = [
            (.cgroup(parent: "/sys/fs/cgroup/pids"), "enforced (cgroup pids.max)"),
            (.userNamespace, "enforced (user namespace)"),
            (.notEnforced(reason: reason), "not enforced: \(reason)"),
        ]
        for (processCount, holds) in cases {
            let status = SandboxStatus(
                state: .sandboxed, bubblewrap: "/usr/bin/bwrap",
                limits: SandboxLimits(maxFileMB: 1024, maxProcesses: 256, processCount: processCount))
            #expect(status.summary == "sandboxed (bubblewrap); max_file_mb 1024: enforced (RLIMIT_FSIZE); max_procs 256: \(holds)")
            #expect(
                status.payload["sandbox_limits"]
                    == [
                        "max_file_mb": 1024, "max_file_mb_holds": "enforced (RLIMIT_FSIZE)", "max_procs": 256,
                        "max_procs_holds": .string(holds),
                    ])
        }
        // Only the user-namespace case leaves the count to RLIMIT_NPROC inside the fence (with --unshare-user).
        let inside = SandboxLimits(maxFileMB: 1, maxProcesses: 20, processCount: .userNamespace).fenceLimits
        #expect(inside == FenceLimits(maxFileBytes: 1 << 20, maxProcesses: 20))
        let byCgroup = SandboxLimits(maxFileMB: 1, maxProcesses: 20, processCount: .cgroup(parent: "/x")).fenceLimits
        #expect(byCgroup == FenceLimits(maxFileBytes: 1 << 20, maxProcesses: nil))
    }
}
