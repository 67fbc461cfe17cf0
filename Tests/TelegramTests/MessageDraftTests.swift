import Events
import Foundation
import Telegram
import TestSupport
import Testing

/// `sendMessageDraft` (Bot API 9.5) through the client and the double: recorded in private chats, checked against
/// the specification, refused where Telegram refuses it.
@Suite("Message drafts", .timeLimit(.minutes(1)))
struct MessageDraftTests {
    @Test("drafts in a private chat are accepted and recorded, in order, within the specification")
    func privateDrafts() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        harness.double.sendUserMessage(chatID: 42, userID: 42, text: "hi")
        try await harness.client.sendMessageDraft(chatID: 42, draftID: 7, text: "Hel", parseMode: nil)
        try await harness.client.sendMessageDraft(chatID: 42, draftID: 7, text: "Hello <b>there</b>", parseMode: .html)
        try await harness.client.sendMessageDraft(chatID: 42, draftID: 7, text: "", parseMode: nil)
        let drafts = harness.double.drafts(chatID: 42)
        #expect(drafts.map(\.text) == ["Hel", "Hello there", ""])
        #expect(drafts.allSatisfy { $0.draftID == 7 })
        let sent = harness.double.requests(for: "sendMessageDraft")
        #expect(sent.first?.parameters["chat_id"] == 42)
        #expect(sent.first?.parameters["draft_id"] == 7)
        #expect(harness.double.violations.isEmpty, "\(harness.double.violations)")
        #expect(harness.double.sentMessages().isEmpty, "a draft is not a message")
    }

    @Test("refused in groups (TEXTDRAFT_PEER_INVALID), with draft_id 0, past 4096 characters, and while the double refuses drafts")
    func refusals() async throws {
        let harness = try TelegramHarness()
        defer { harness.double.stop() }
        harness.double.sendUserMessage(chatID: -100_123, userID: 42, text: "@agent_test_bot hi")
        let group = try #require(
            await harness.error { () async throws(TelegramError) in
                try await harness.client.sendMessageDraft(chatID: -100_123, draftID: 1, text: "x", parseMode: nil)
            })
        #expect(group.code == .badRequest)
        #expect(group.apiDescription == "Bad Request: TEXTDRAFT_PEER_INVALID")
        let zero = await harness.error { () async throws(TelegramError) in
            try await harness.client.sendMessageDraft(chatID: 42, draftID: 0, text: "x", parseMode: nil)
        }
        #expect(zero?.code == .badRequest)
        let long = await harness.error { () async throws(TelegramError) in
            try await harness.client.sendMessageDraft(chatID: 42, draftID: 1, text: String(repeating: "a", count: 4097), parseMode: nil)
        }
        #expect(long?.code == .badRequest)
        harness.double.refuseDrafts()
        let old = await harness.error { () async throws(TelegramError) in
            try await harness.client.sendMessageDraft(chatID: 42, draftID: 1, text: "x", parseMode: nil)
        }
        #expect(old?.code == .badRequest)
        harness.double.refuseDrafts(status: 404, description: "Not Found")
        #expect(
            await harness.error { () async throws(TelegramError) in
                try await harness.client.sendMessageDraft(chatID: 42, draftID: 1, text: "x", parseMode: nil)
            }?.code == .notFound)
        harness.double.refuseDrafts(description: nil)
        try await harness.client.sendMessageDraft(chatID: 42, draftID: 1, text: "x", parseMode: nil)
        #expect(harness.double.drafts().map(\.text) == ["x"])
        #expect(SecretLeakCheck.leaks(of: TelegramHarness.token, in: group).isEmpty)
    }
}
