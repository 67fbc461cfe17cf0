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

    @Test("a character longer than the limit is cut between its scalars, and the split ends")
    func oversizedGrapheme() {
        let accents = String(repeating: "\u{301}", count: 5000)
        let text = "before\n\na" + accents + " after"
        #expect(text.count == 15)  // the letter and its accents are one character
        let parts = MessageSplitter.split(text)
        #expect(parts.allSatisfy { $0.utf16.count <= MessageSplitter.limit && !$0.isEmpty })
        #expect(parts.first == "before")
        #expect(parts.joined().unicodeScalars.count == text.unicodeScalars.count - 2)  // the paragraph break cut at
        #expect(parts.last?.hasSuffix(" after") == true)
        let small = MessageSplitter.split("x" + String(repeating: "\u{301}", count: 9), limit: 4)
        #expect(small.map { $0.unicodeScalars.count } == [4, 4, 2])
    }
}
