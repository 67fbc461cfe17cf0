import Testing
import WorkerRuntime

@Suite("Splitting long texts", .timeLimit(.minutes(1)))
struct MessageSplitterTests {
    @Test("a text within the limit stays whole; an empty one has no parts")
    func short() {
        #expect(MessageSplitter.split("hello", limit: 10) == ["hello"])
        #expect(MessageSplitter.split("", limit: 10).isEmpty)
    }

    @Test("the cut prefers a paragraph break, then a line break, then a space, then the limit")
    func boundaries() {
        #expect(MessageSplitter.split("aaaa\n\nbbbb cc\ndd", limit: 12) == ["aaaa", "bbbb cc\ndd"])
        #expect(MessageSplitter.split("aaaa bb\ncccc", limit: 10) == ["aaaa bb", "cccc"])
        #expect(MessageSplitter.split("aaaa bbbb cccc", limit: 10) == ["aaaa bbbb", "cccc"])
        #expect(MessageSplitter.split("abcdefghijkl", limit: 5) == ["abcde", "fghij", "kl"])
    }

    @Test("limits count UTF-16 units and never cut a character in two", arguments: [4, 5, 6, 7])
    func utf16(limit: Int) {
        let text = String(repeating: "🙂", count: 7)  // 2 units each
        let parts = MessageSplitter.split(text, limit: limit)
        #expect(parts.joined() == text)
        #expect(parts.allSatisfy { $0.utf16.count <= limit && !$0.isEmpty })
    }
}
