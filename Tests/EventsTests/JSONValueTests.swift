import Events
import Foundation
import Testing

/// The JSON writer of payloads, tool results and model requests: what it escapes, and that it round-trips.
@Suite("JSON values", .timeLimit(.minutes(1)))
struct JSONValueTests {
    @Test(
        "strings are escaped exactly and read back unchanged",
        arguments: [
            "plain", "line\nbreak\ttab\r", "quote \" and \\ backslash", "\"\u{301} a quote with a combining accent",
            "\u{1}\u{1f} controls", "separators \u{2028} and \u{2029}", "€ – “curly” 🙂 e\u{301}", "\u{E2}\u{80} almost", "",
            String(repeating: "x\n", count: 5000),
        ])
    func escaping(_ text: String) throws {
        let written = JSONValue.string(text).serialized
        #expect(!written.contains("\n"))
        #expect(!written.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{2028}" || $0 == "\u{2029}" })
        let decoded = try JSONDecoder().decode(String.self, from: Data(written.utf8))
        #expect(decoded == text)
        #expect(try JSONValue(parsing: written) == .string(text))
    }

    @Test("the escapes are the short ones")
    func shortEscapes() {
        #expect(JSONValue.string("a\"b\\c\nd\u{1}\u{2028}").serialized == #""a\"b\\c\nd\u0001\u2028""#)
    }
}
