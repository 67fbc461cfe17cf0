import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// The worker as a person uses it: a message in, a reply out.
@Suite("Worker end to end", .serialized, .timeLimit(.minutes(3)))
struct ReplyEndToEndTests {
    @Test("a message in, a reply out, recorded as a run")
    func messageInReplyOut() async throws {
        let harness = try AgentHarness()
        let worker = try harness.startWorker()
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "hello there")
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(20))
        try #require(sent.count == 1, "no reply; logs:\n\(harness.allLogs())")
        #expect(sent[0].text.contains("hello there"))
        #expect(harness.telegram.violations.isEmpty, "\(harness.telegram.violations)")
        #expect(harness.openAI.violations.isEmpty, "\(harness.openAI.violations)")
        #expect(await harness.wait { harness.events("reply.sent").count == 1 })
        let process = try #require(harness.events("process.started").first?.payloadObject)
        #expect(["sandboxed", "unsandboxed-allowed", "exec-disabled"].contains(process["sandbox"]?.stringValue ?? ""), "\(process)")
        let run = try #require(harness.events("agent.started").first)
        let kinds = harness.events("*").filter { $0.runID == run.id }.map(\.kind)
        #expect(kinds.contains("context.assembled"))
        #expect(kinds.contains("model.completed"))
        #expect(kinds.contains("agent.completed"))
        worker.signal(SIGTERM)
        #expect(await worker.wait(timeout: .seconds(10)).status == .exited(0))
        for secret in [AgentHarness.token, AgentHarness.apiKey] {
            let written = harness.everythingWritten()
            if let range = written.range(of: secret) {
                let start = written.index(range.lowerBound, offsetBy: -300, limitedBy: written.startIndex) ?? written.startIndex
                let end = written.index(range.upperBound, offsetBy: 100, limitedBy: written.endIndex) ?? written.endIndex
                Issue.record("a secret was written: …\(written[start..<end])…")
            }
        }
    }

    @Test("an answer holding a 5,000-accent character is sent, then that chat and another are answered")
    func oversizedCharacter() async throws {
        let harness = try AgentHarness()
        let answer = "a" + String(repeating: "\u{301}", count: 5000)
        harness.openAI.enqueue(.text(answer))
        let worker = try harness.startWorker(["TELEGRAM_ALLOWED_USER_IDS": "\(harness.userID),5151"])
        defer { worker.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "accents, please")
        let parts = await harness.telegram.waitForSentMessages(count: 2, chatID: harness.userID, timeout: .seconds(20))
        try #require(parts.count == 2, "no reply; logs:\n\(harness.allLogs())")
        #expect(parts.map(\.text).joined() == answer)
        #expect(parts.allSatisfy { $0.text.utf16.count <= 4096 })
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "and the next one")
        let next = await harness.telegram.waitForSentMessages(count: 3, chatID: harness.userID, timeout: .seconds(20))
        #expect(next.last?.text.contains("and the next one") == true)
        harness.telegram.sendUserMessage(chatID: 5151, userID: 5151, text: "another chat")
        let other = await harness.telegram.waitForSentMessages(count: 1, chatID: 5151, timeout: .seconds(20))
        #expect(other.first?.text.contains("another chat") == true)
        #expect(harness.telegram.violations.isEmpty, "\(harness.telegram.violations)")
    }

    @Test("update ids restarted lower (Telegram after a week without updates) are stored, answered and confirmed")
    func updateIDsRestartedLower() async throws {
        let harness = try AgentHarness()
        harness.telegram.restartUpdateIDs(at: 900_000)
        let first = try harness.startWorker()
        defer { first.signal(SIGKILL) }
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "before the pause")
        try #require(await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(20)).count == 1)

        // The held poll hands over the lower id whatever its offset; the next poll's offset is what matters. Between
        // two polls the stale offset (900,001) would confirm the lower id unseen, as Telegram's would: wait for a held one.
        #expect(await harness.wait { harness.telegram.isPollHeld })
        harness.telegram.restartUpdateIDs(at: 17)
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "after the pause")
        let second = await harness.telegram.waitForSentMessages(count: 2, chatID: harness.userID, timeout: .seconds(20))
        try #require(second.count == 2, "the lower update was dropped; logs:\n\(harness.allLogs())")
        #expect(second[1].text.contains("after the pause"))
        first.signal(SIGTERM)
        #expect(await first.wait(timeout: .seconds(10)).status == .exited(0))

        // Written while no worker polls: the next worker's first offset must not confirm it unseen (max + 1 would).
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "while it was down")
        let next = try harness.startWorker(name: "next")
        defer { next.signal(SIGKILL) }
        let third = await harness.telegram.waitForSentMessages(count: 3, chatID: harness.userID, timeout: .seconds(20))
        try #require(third.count == 3, "the update written while the worker was down was dropped; logs:\n\(harness.allLogs())")
        #expect(third[2].text.contains("while it was down"))
        // Confirmed: the next poll's offset is above the newest update, so Telegram holds none of them any more.
        #expect(await harness.wait { harness.telegram.pendingUpdateCount == 0 })

        let database = try #require(harness.database())
        let rows = try database.query("SELECT update_id, status FROM inbox ORDER BY id")
        #expect(rows.map { $0[0].int64 } == [900_000, 17, 18])
        #expect(rows.allSatisfy { $0[1].string == "done" })
        #expect(harness.events("telegram.update_received").count == 3)
        try await Task.sleep(for: .milliseconds(300))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).count == 3, "nothing answered twice")
    }
}
