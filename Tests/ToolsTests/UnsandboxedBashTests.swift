import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

/// `bash` where no sandbox works: off by default, on (and said so) with `AGENT_ALLOW_UNSANDBOXED_EXEC=1`.
@Suite(.timeLimit(.minutes(1))) struct UnsandboxedBashTests {
    @Test func withoutBubblewrapTheExecTierIsOffUnlessAllowed() async throws {
        let off = try await ToolFixture(sandboxed: true, environment: ["PATH": "/nonexistent"])
        #expect(off.registry.sandbox.state == .execDisabled)
        #expect(off.registry.sandbox.reason == "bubblewrap (bwrap) is not installed")
        #expect(off.registry.sandbox.payload == ["sandbox": "exec-disabled", "sandbox_reason": "bubblewrap (bwrap) is not installed"])
        #expect(await off.call("bash", #"{"command": "echo hi"}"#).refusal?.code == .execDisabled)

        let on = try await ToolFixture(sandboxed: true, environment: ["PATH": "/nonexistent", "AGENT_ALLOW_UNSANDBOXED_EXEC": "1"])
        #expect(on.registry.sandbox.state == .unsandboxedAllowed)
        #expect(on.registry.definitions.map(\.name).contains("bash"))
        let tag = String(Int.random(in: 100_000...999_999))
        let envelope = await on.call("bash", ["command": .string("pwd; /bin/sleep 1000.\(tag) > /dev/null 2>&1 & echo started")]).envelope
        #expect(envelope.ok)
        #expect(envelope.stdout == "\(on.workspace)\nstarted\n")
        #expect(envelope.note?.contains("ran without a sandbox") == true)
        #expect(await ProcessTable.waitUntilGone(matching: "1000.\(tag)"))
    }

    @Test func unsandboxedCommandsAreKilledAsAGroupOnTimeout() async throws {
        let fixture = try await ToolFixture(sandboxed: true, environment: ["PATH": "/nonexistent", "AGENT_ALLOW_UNSANDBOXED_EXEC": "1"])
        let tag = String(Int.random(in: 100_000...999_999))
        let envelope = await fixture.call(
            "bash", ["command": .string("/bin/sleep 1000.\(tag)1 & /bin/sleep 1000.\(tag)2"), "timeout_s": 1]
        ).envelope
        #expect(envelope.error?.contains("timed out after 1 s") == true)
        #expect(envelope.durationMs < 30_000, "the sleep must not be waited for")
        #expect(await ProcessTable.waitUntilGone(matching: "1000.\(tag)"))
    }
}
