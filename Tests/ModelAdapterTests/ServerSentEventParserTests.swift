import ModelAdapter
import Testing

@Suite("Server-sent events", .timeLimit(.minutes(1)))
struct ServerSentEventParserTests {
    static func parse(_ pieces: [[UInt8]]) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for piece in pieces { parser.feed(piece) { events.append($0) } }
        parser.finish { events.append($0) }
        return events
    }

    static let stream = Array(
        "\u{FEFF}: a comment, then a keep-alive\n\ndata: {\"a\":1}\n\nevent: error\r\ndata: line one\r\ndata:line two\r\nid: 7\r\n\r\ndata\rretry: 100\r\rdata: [DONE]"
            .utf8)

    static let expected = [
        ServerSentEvent(data: "{\"a\":1}"),
        ServerSentEvent(type: "error", data: "line one\nline two", id: "7"),
        ServerSentEvent(data: "", id: "7"),
        ServerSentEvent(data: "[DONE]", id: "7"),
    ]

    @Test("comments, a byte-order mark, CRLF, CR and LF, multi-line data, fields without a colon, a last event without its empty line")
    func wholeStream() {
        #expect(Self.parse([Self.stream]) == Self.expected)
    }

    @Test("the same events whatever the cut: every split point, and byte by byte")
    func anyCut() {
        for split in 0...Self.stream.count {
            let events = Self.parse([Array(Self.stream[..<split]), Array(Self.stream[split...])])
            #expect(events == Self.expected, "split at \(split)")
        }
        #expect(Self.parse(Self.stream.map { [$0] }) == Self.expected)
    }

    @Test("multi-byte UTF-8 cut in the middle of a character stays whole")
    func utf8() {
        let bytes = Array("data: ça va? 👋🏽 e\u{301}\n\n".utf8)
        for split in 1..<bytes.count {
            #expect(Self.parse([Array(bytes[..<split]), Array(bytes[split...])]) == [ServerSentEvent(data: "ça va? 👋🏽 e\u{301}")])
        }
    }
}
