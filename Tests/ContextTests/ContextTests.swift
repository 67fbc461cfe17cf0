import Context
import Events
import Foundation
import ModelAdapter
import TestSupport
import Testing

@Suite("Context", .timeLimit(.minutes(1)))
struct ContextTests {
    func message(_ id: Int64, _ role: String, _ content: String, toolCalls: String? = nil, callID: String? = nil) -> StoredMessage {
        StoredMessage(id: id, chatID: 1, role: role, content: content, toolCalls: toolCalls, toolCallID: callID, ts: id)
    }

    @Test("the provider returns the session's newest messages, oldest first; /new starts a session")
    func provider() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("agent.db"))
        for inbox in [0, 1, 2, 3, 4, 99] {  // Each user message belongs to an update of the inbox.
            try database.execute(
                "INSERT INTO inbox (id, bot_id, update_id, raw, received_at, updated_at) VALUES (?, 1, ?, '{}', 0, 0)",
                [.integer(Int64(inbox)), .integer(Int64(inbox))])
        }
        let conversation = ConversationStore(database: database)
        var ids: [Int64] = []
        for index in 0..<5 {
            ids.append(try conversation.recordUserMessage(chatID: 1, text: "m\(index)", inboxID: Int64(index), ts: 0))
        }
        #expect(try conversation.history(chatID: 1, before: ids[4], limit: 2).map(\.content) == ["m2", "m3"])
        #expect(try conversation.recordUserMessage(chatID: 1, text: "m4 again", inboxID: 4, ts: 0) == ids[4], "one row per inbox row")
        try conversation.startNewSession(chatID: 1)
        let after = try conversation.recordUserMessage(chatID: 1, text: "fresh", inboxID: 99, ts: 0)
        #expect(try conversation.history(chatID: 1, before: after, limit: 40).isEmpty)
        #expect(try conversation.history(chatID: 2, before: after, limit: 40).isEmpty)
    }

    @Test("the compressor keeps at most N messages and cuts long texts, old tool outputs shorter")
    func compressor() {
        let compressor = TruncatingCompressor(maxMessages: 3, maxCharacters: 100, oldToolOutputCharacters: 10, recentToolResults: 1)
        let history = [
            message(1, "user", "old"),
            message(2, "assistant", "", toolCalls: #"[{"arguments":"{}","id":"c1","name":"ls"}]"#),
            message(3, "tool", String(repeating: "a", count: 50), callID: "c1"),
            message(4, "tool", String(repeating: "b", count: 500), callID: "c2"),
        ]
        let kept = compressor.compress(history)
        #expect(kept.map(\.id) == [2, 3, 4])
        #expect(kept[1].content.hasPrefix(String(repeating: "a", count: 10) + "\n[cut: 40 more"))
        #expect(kept[2].content.hasPrefix(String(repeating: "b", count: 100) + "\n[cut: 400 more"))
    }

    @Test("a tool result is never kept without the call that asked for it")
    func toolResultsKeepTheirCall() {
        let compressor = TruncatingCompressor(maxMessages: 2)
        let history = [
            message(1, "assistant", "", toolCalls: #"[{"arguments":"{}","id":"c1","name":"ls"}]"#),
            message(2, "tool", "listing", callID: "c1"),
            message(3, "assistant", "done"),
        ]
        #expect(compressor.compress(history).map(\.id) == [3])
    }

    @Test("the assembler: AGENT.md or the built-in prompt, then the history, then the new message")
    func assembler() throws {
        let folder = TemporaryDirectory()
        let assembler = ContextAssembler(home: folder.path)
        let history = [
            message(1, "user", "hi"),
            message(2, "assistant", "", toolCalls: #"[{"arguments":"{\"path\":\".\"}","id":"c1","name":"ls"}]"#),
            message(3, "tool", "a.txt", callID: "c1"),
        ]
        let builtIn = assembler.assemble(history: history, newMessage: "next")
        #expect(builtIn.messages.first == .system(ContextAssembler.builtInPrompt))
        #expect(builtIn.messages.dropFirst().first == .user("hi"))
        #expect(builtIn.messages[2] == .assistant(nil, toolCalls: [ToolCall(id: "c1", name: "ls", arguments: #"{"path":"."}"#)]))
        #expect(builtIn.messages[3] == .tool(callID: "c1", content: "a.txt"))
        #expect(builtIn.messages.last == .user("next"))
        #expect(builtIn.characters > 0 && builtIn.estimatedTokens == (builtIn.characters + 3) / 4)
        try "You are a pirate.".write(toFile: folder.file("AGENT.md"), atomically: true, encoding: .utf8)
        #expect(assembler.assemble(history: [], newMessage: "ahoy").messages == [.system("You are a pirate."), .user("ahoy")])
    }
}

/// Tool calls and their results stay together, whatever a crash or a cut left.
@Suite("Tool exchanges", .timeLimit(.minutes(1)))
struct ToolExchangesTests {
    let a = ToolCall(id: "a", name: "ls", arguments: "{}")
    let b = ToolCall(id: "b", name: "read", arguments: "{}")

    @Test("whole exchanges are kept as they are")
    func whole() {
        let messages: [ChatMessage] = [
            .user("q"), .assistant("looking", toolCalls: [a, b]), .tool(callID: "a", content: "1"), .tool(callID: "b", content: "2"),
            .assistant("done"),
        ]
        #expect(ToolExchanges.wellFormed(messages) == messages)
    }

    @Test("a call without its result is dropped, its text kept; a result without its call is dropped")
    func broken() {
        let messages: [ChatMessage] = [
            .tool(callID: "z", content: "orphan"), .user("q"), .assistant("half", toolCalls: [a, b]), .tool(callID: "a", content: "1"),
            .user("again"), .assistant(nil, toolCalls: [b]), .user("last"),
        ]
        #expect(
            ToolExchanges.wellFormed(messages) == [
                .user("q"), .assistant("half", toolCalls: [a]), .tool(callID: "a", content: "1"), .user("again"), .user("last"),
            ])
    }

    @Test("the assembler sends only whole exchanges")
    func assembler() {
        let stored = [
            StoredMessage(id: 1, chatID: 1, role: "user", content: "q", ts: 0),
            StoredMessage(id: 2, chatID: 1, role: "assistant", content: "", toolCalls: StoredToolCalls.encode([a]), ts: 0),
        ]
        let assembled = ContextAssembler(home: nil).assemble(history: stored, newMessage: "next")
        #expect(assembled.messages.dropFirst() == [.user("q"), .user("next")])
    }
}
