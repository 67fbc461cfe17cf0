import ModelAdapter
import Testing

@testable import WorkerRuntime

@Suite("Draft texts and status lines", .timeLimit(.minutes(1)))
struct DraftTextTests {
    @Test("the preview of an HTML answer drops tags, decodes entities, and never shrinks as the answer grows")
    func previewGrows() {
        let html = "Use <b>bold</b> &amp; <code>x &lt; y</code>, or <a href=\"https://e.x\">a link</a> &#39;ok&#39; a < b"
        #expect(DraftText.preview(of: html) == "Use bold & x < y, or a link 'ok' a < b")
        var previous = ""
        for end in html.indices {
            let preview = DraftText.preview(of: String(html[..<end]))
            #expect(preview.hasPrefix(previous), "\(previous) -> \(preview)")
            previous = preview
        }
    }

    @Test("past 4096 UTF-16 units a draft is cut on the last word boundary, with an ellipsis")
    func cutOnAWord() {
        let text = String(repeating: "word ", count: 1000) + "end"
        let cut = DraftText.preview(of: text)
        #expect(cut.utf16.count <= 4096)
        #expect(cut.hasSuffix("word…"))
        let emoji = String(repeating: "👋🏽", count: 2000)
        let cutEmoji = DraftText.cut(emoji, to: 4096)
        #expect(cutEmoji.utf16.count <= 4096)
        #expect(cutEmoji.dropLast().allSatisfy { $0 == "👋🏽" }, "never inside a character")
    }

    @Test("a grapheme longer than the limit is cut between its scalars")
    func longGrapheme() {
        let grapheme = "a" + String(repeating: "\u{0301}", count: 5000)
        let cut = DraftText.preview(of: grapheme)
        #expect(cut.utf16.count == 4096)
        #expect(cut.hasSuffix("…"))
    }

    @Test("the status line names each call and its main argument")
    func statusLine() {
        let calls = [
            ToolCall(id: "1", name: "grep", arguments: #"{"pattern":"TODO","path":"Sources/"}"#),
            ToolCall(id: "2", name: "read", arguments: #"{"path":"README.md"}"#),
            ToolCall(id: "3", name: "bash", arguments: #"{"command":"swift build\nswift test"}"#),
            ToolCall(id: "4", name: "ls", arguments: "not json"),
        ]
        #expect(ToolCallStatus.line(for: calls) == "🔧 grep TODO in Sources/, read README.md, bash swift build, ls…")
        let long = ToolCallStatus.line(for: [
            ToolCall(id: "1", name: "write", arguments: #"{"path":"\#(String(repeating: "a", count: 500))"}"#)
        ])
        #expect(long.count < 100)
        #expect(ToolCallStatus.line(forNames: ["grep"]) == "🔧 grep…")
    }
}
