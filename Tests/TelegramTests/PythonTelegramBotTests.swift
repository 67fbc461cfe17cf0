import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// The official python-telegram-bot (from `.venv`, made by `make venv`) completes a round against the double:
/// proof that the double speaks the real Bot API, with no request outside the specification.
@Suite(.enabled(if: Repository.runsPythonTests, "AGENT_SKIP_PYTHON_TESTS=1"), .timeLimit(.minutes(5)))
struct PythonTelegramBotTests {
    @Test func pythonTelegramBotCompletesARound() async throws {
        let python = Repository.venvPython
        try #require(FileManager.default.isExecutableFile(atPath: python), "no \(python): run `make venv`")
        let double = try TelegramDouble(token: TelegramHarness.token)
        defer { double.stop() }
        let updateID = double.sendUserMessage(chatID: 4242, userID: 4242, text: "ping")

        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: python, arguments: ["\(Repository.root)/scripts/proof/telegram_client.py"],
                environment: TestEnvironment.make(["TELEGRAM_API_BASE": double.apiBase, "TELEGRAM_BOT_TOKEN": TelegramHarness.token])),
            timeout: .seconds(60))
        #expect(result.status == .exited(0), "\(result.standardError)")
        let summary = try JSONValue(parsing: result.standardOutput)
        #expect(summary["username"]?.stringValue == double.bot.username)
        #expect(summary["update_ids"] == [.int(updateID)])
        #expect(summary["text"] == "ping")
        #expect(summary["sent_text"] == "pong to ping")
        #expect(summary["reply_to"] == 1)
        #expect(summary["edited_text"] == "pong!")
        #expect(summary["remaining"] == 0)

        let sent = try #require(double.sentMessages(chatID: 4242).first)
        #expect(sent.text == "pong!")
        #expect(sent.previousTexts == ["<b>pong</b> to ping"])
        #expect(double.chatActions.map(\.action) == ["typing"])
        #expect(double.pendingUpdateCount == 0)
        let methods = Set(double.requests.map(\.method))
        #expect(methods.isSuperset(of: ["getMe", "getUpdates", "sendMessage", "editMessageText", "sendChatAction"]))
        #expect(double.violations.isEmpty, "\(double.violations)")
    }
}
