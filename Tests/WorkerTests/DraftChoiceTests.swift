import ModelAdapter
import Testing

@testable import WorkerRuntime

/// Which draft the streamer sends next (`DraftStreamer.State.take`), without Telegram or a clock.
@Suite("The choice of the next draft", .timeLimit(.minutes(1)))
struct DraftChoiceTests {
    @Test("a turn's text drafts only grow: at the 4096 cut a preview shorter than the last one waits for more")
    func textOnlyGrows() {
        let now = ContinuousClock.now
        var state = DraftStreamer.State()
        state.startTurn(1, at: now)
        // 4096 UTF-16 units that end inside a word the cut would drop.
        state.text = String(repeating: "word ", count: 818) + "abcdef"
        #expect(state.take(at: now) == state.text)
        state.text += " more"
        #expect(DraftText.preview(of: state.text).utf16.count < 4096, "the cut moves back to the word boundary")
        #expect(state.take(at: now) == nil)
        state.text += String(repeating: " and more", count: 100)
        #expect(state.take(at: now) == nil)
        #expect(state.turnDrafts == 1)

        // Where the cut keeps the whole last draft, the ellipsis makes it longer: sent.
        var other = DraftStreamer.State()
        other.startTurn(1, at: now)
        other.text = String(repeating: "word ", count: 818) + "abc"
        let first = other.take(at: now)
        #expect(first?.utf16.count == 4093)
        other.text += " longer words to come"
        let second = other.take(at: now)
        #expect(second == (first ?? "") + "…")
        #expect(other.take(at: now) == nil, "nothing new")
    }

    @Test("the calls replace the text, the status line stays until the next turn has text of its own, then the text")
    func statusLineBetweenTurns() {
        let now = ContinuousClock.now
        var state = DraftStreamer.State()
        state.startTurn(1, at: now)
        #expect(state.take(at: now) == nil, "nothing to show yet")
        state.text = "Let me look"
        #expect(state.take(at: now) == "Let me look")
        #expect(state.turnFirstDraft == .zero)
        state.toolNames = ["grep"]
        #expect(state.take(at: now) == "🔧 grep…")
        state.statusLine = ToolCallStatus.line(for: [ToolCall(id: "c", name: "grep", arguments: #"{"pattern":"TODO","path":"Sources/"}"#)])
        #expect(state.take(at: now) == "🔧 grep TODO in Sources/…")
        #expect(state.turnDrafts == 3)

        state.startTurn(2, at: now + .seconds(1))
        #expect(state.take(at: now + .seconds(1)) == nil, "the status line is still the draft")
        state.text = "Found"
        #expect(state.take(at: now + .milliseconds(1500)) == "Found", "a new turn's text may be shorter than the last")
        #expect(state.turnDrafts == 1)
        #expect(state.turnFirstDraft == .milliseconds(500))
        #expect(state.totalDrafts == 4)

        state.stopped = true
        state.text = "Found it"
        #expect(state.take(at: now) == nil, "nothing once the turns are over")
    }
}
