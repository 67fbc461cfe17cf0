import Context
import ModelAdapter
import Testing

@testable import WorkerRuntime

/// What a run resumed after a crash starts from.
@Suite("Run transcript", .timeLimit(.minutes(1)))
struct RunTranscriptTests {
    func stored(_ id: Int64, _ role: String, _ content: String = "", calls: [ToolCall] = [], callID: String? = nil) -> StoredMessage {
        StoredMessage(
            id: id, chatID: 1, role: role, content: content, toolCalls: StoredToolCalls.encode(calls), toolCallID: callID, ts: id)
    }

    let one = ToolCall(id: "one", name: "bash", arguments: #"{"command": "echo 1"}"#)
    let two = ToolCall(id: "two", name: "bash", arguments: #"{"command": "echo 2"}"#)

    @Test("nothing stored: an empty transcript, no step taken")
    func fresh() {
        let transcript = RunTranscript.resumed(from: [])
        #expect(transcript.messages.isEmpty)
        #expect(transcript.pendingCalls.isEmpty)
        #expect(transcript.stepsTaken == 0)
    }

    @Test("a crash between two calls: the stored result is kept, only the second call is pending")
    func betweenCalls() {
        let transcript = RunTranscript.resumed(from: [
            stored(2, "assistant", calls: [one, two]), stored(3, "tool", "out 1", callID: "one"),
        ])
        #expect(transcript.messages == [.assistant(nil, toolCalls: [one, two]), .tool(callID: "one", content: "out 1")])
        #expect(transcript.pendingCalls == [two])
        #expect(transcript.stepsTaken == 1)
    }

    @Test("whole earlier turns are kept; a finished last turn leaves nothing pending")
    func wholeTurns() {
        let transcript = RunTranscript.resumed(from: [
            stored(2, "assistant", "first", calls: [one]), stored(3, "tool", "out 1", callID: "one"),
            stored(4, "assistant", calls: [two]), stored(5, "tool", "out 2", callID: "two"),
        ])
        #expect(transcript.messages.count == 4)
        #expect(transcript.pendingCalls.isEmpty)
        #expect(transcript.stepsTaken == 2)
    }
}
