import Events
import Foundation
import ProcessControl
import Revisions
import TestSupport
import Testing

/// The chat side of a self-update with the real worker: `/stage` runs `agent-build stage` as the worker's child,
/// the staging notice comes with Approve / Reject buttons, only an admin's press counts.
@Suite("Self-update in chat", .timeLimit(.minutes(3)))
struct ChatUpdateTests {
    @Test("/stage from an admin stages the workspace; a non-admin's press is refused and recorded; the admin's approves")
    func stageAndButtons() async throws {
        let harness = try AgentHarness()
        let pipeline = StagePipelineTests()
        try await pipeline.makeWorkspace(harness)
        try "changed\n".write(toFile: "\(harness.workspace)/README", atomically: true, encoding: .utf8)
        let admin = harness.userID
        let other: Int64 = 5151
        let worker = try harness.startWorker(
            await pipeline.environment(harness).merging([
                "TELEGRAM_ALLOWED_USER_IDS": "\(admin),\(other)", "TELEGRAM_ADMIN_USER_IDS": "\(admin)",
                "AGENT_BUILD_BIN": Executables.path("agent-build"),
            ]) { _, new in new })
        defer { worker.signal(SIGKILL) }

        harness.telegram.sendUserMessage(chatID: other, userID: other, text: "/stage")
        let refusal = await harness.telegram.waitForSentMessages(count: 1, chatID: other, timeout: .seconds(20))
        #expect(refusal.first?.text == "Only an admin can use /stage.", "\(harness.allLogs())")

        harness.telegram.sendUserMessage(chatID: admin, userID: admin, text: "/stage README reworded")
        let messages = await harness.telegram.waitForSentMessages(count: 2, chatID: admin, timeout: .seconds(60))
        #expect(messages.first?.text.hasPrefix("Staging started") == true, "\(messages) \(harness.allLogs())")
        let notice = try #require(messages.last, "\(harness.allLogs())")
        let artifact = try #require(harness.database().flatMap { try? ArtifactTable(database: $0).list().first })
        #expect(artifact.status == .staged)
        #expect(notice.text.contains("Update staged"))
        #expect(notice.text.contains("README"), "the diffstat: \(notice.text)")
        #expect(notice.text.contains("2 passed, 0 failed"))
        #expect(notice.callbackData == ["approve:\(artifact.id)", "reject:\(artifact.id)"])
        #expect(harness.events("update.txn.created").first?.payloadObject?["requested_by"] == .string("\(admin)"))

        let refused = harness.telegram.pressButton(
            chatID: admin, userID: other, messageID: notice.messageID, data: "approve:\(artifact.id)")
        #expect(await harness.wait(timeout: .seconds(10)) { harness.telegram.callbackAnswers[refused] != nil })
        #expect(harness.telegram.callbackAnswers[refused] == "Only an admin can use these buttons.")
        let record = try #require(harness.events("callback.refused").first?.payloadObject)
        #expect(record["user_id"] == .int(other))
        #expect(record["data"] == .string("approve:\(artifact.id)"))
        #expect(harness.database().flatMap { try? ArtifactTable(database: $0).find(id: artifact.id) }?.status == .staged)

        let pressed = harness.telegram.pressButton(
            chatID: admin, userID: admin, messageID: notice.messageID, data: "approve:\(artifact.id)")
        #expect(await harness.wait(timeout: .seconds(10)) { harness.telegram.callbackAnswers[pressed] != nil })
        #expect(harness.telegram.callbackAnswers[pressed] == "Approved: deploying.")
        #expect(harness.database().flatMap { try? ArtifactTable(database: $0).find(id: artifact.id) }?.status == .approved)
        #expect(harness.events("update.approved").first?.payloadObject?["by"] == .string("\(admin)"))
        let again = harness.telegram.pressButton(chatID: admin, userID: admin, messageID: notice.messageID, data: "approve:\(artifact.id)")
        #expect(await harness.wait(timeout: .seconds(10)) { harness.telegram.callbackAnswers[again] != nil })
        #expect(harness.events("update.approved").count == 1, "a second press decides nothing")
    }
}
