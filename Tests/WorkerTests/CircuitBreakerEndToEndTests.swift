import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// The breaker is shared by every chat, so only failures of the model service may open it.
@Suite("Circuit breaker end to end", .timeLimit(.minutes(2)))
struct CircuitBreakerEndToEndTests {
    @Test("three context-length errors in chat A, then chat B is answered")
    func oneChatsErrorsDoNotPauseOthers() async throws {
        let harness = try AgentHarness()
        let otherUser: Int64 = 4343
        harness.openAI.enqueue(.contextLengthExceeded, .contextLengthExceeded, .contextLengthExceeded)
        let worker = try harness.startWorker(["TELEGRAM_ALLOWED_USER_IDS": "\(harness.userID),\(otherUser)"])
        defer { worker.signal(SIGKILL) }
        for index in 1...3 {
            harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "long one \(index)")
            let sent = await harness.telegram.waitForSentMessages(count: index, chatID: harness.userID, timeout: .seconds(20))
            try #require(sent.count == index, "no reply \(index); logs:\n\(harness.allLogs())")
            #expect(sent[index - 1].text.contains("/new"), "\(sent[index - 1].text)")
        }
        harness.telegram.sendUserMessage(chatID: otherUser, userID: otherUser, text: "hello from B")
        let answered = await harness.telegram.waitForSentMessages(count: 1, chatID: otherUser, timeout: .seconds(20))
        try #require(answered.count == 1, "chat B got no reply; logs:\n\(harness.allLogs())")
        #expect(answered[0].text.contains("Echo: hello from B"), "\(answered[0].text)")
        #expect(harness.events("circuit.opened").isEmpty)
        #expect(harness.openAI.requests.count == 4)
        #expect(harness.telegram.violations.isEmpty, "\(harness.telegram.violations)")
    }
}
