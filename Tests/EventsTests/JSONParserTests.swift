import Events
import Foundation
import Testing

/// `JSONValue(parsing:)` reads what `JSONDecoder` read through `JSONValue`'s `Decodable` conformance, and refuses
/// what it refused.
@Suite("JSON parsing", .timeLimit(.minutes(1)))
struct JSONParserTests {
    /// The reading of `JSONDecoder`, the reference.
    static func decoded(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static let texts: [String] = [
        "0", "-0", "1", "-1", "1.0", "-0.0", "1e2", "1E+2", "100e-2", "1.5", "-1.5E-2", "0.1", "2.5e-3", "1e308", "5e-324",
        "1e-400", "1E400", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "9223372036854775807.0", "12345678901234567890", "1.7976931348623157e308", "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+",
        "true", "false", "null", "tru", "nul", "True", #""""#, #""a""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u20AC\ud83d\ude00""#,
        #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\u00""#, #""\x""#, "\"a\u{01}b\"", "\"tab\there\"", #""unterminated"#,
        #""é and 😀 unescaped""#, "[]", "{}", " [ 1 , 2 ] ", "[1,]", #"{"a":1,}"#, "[,]", "{,}", "[1,,2]", "[1 2]", "1 2", "[1]x",
        "\u{FEFF}1", #"{"a":1,"a":2}"#, #"{"a" : [1, {"b": null}], "c": "d"}"#, #"{"a"}"#, #"{1:2}"#, "{\"a\":}", "[", "]", "",
        "   ",
        #"{"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" w12"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        #"{"tool_calls":[{"index":1,"id":"call_x","function":{"name":"grep","arguments":"{\"pattern\":\"TODO\"}"}}]}"#,
    ]

    @Test("every text of the corpus reads as JSONDecoder read it, or fails as it failed", arguments: texts)
    func sameAsJSONDecoder(text: String) {
        #expect((try? JSONValue(parsing: text)) == Self.decoded(text), "\(text)")
    }

    @Test("random values print and read back the same, as JSONDecoder reads them")
    func randomValues() throws {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<500 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let text = value.serialized
            let parsed = try JSONValue(parsing: text)
            #expect(parsed == value, "\(text)")
            #expect(parsed == Self.decoded(text), "\(text)")
        }
    }

    @Test("nesting: 512 levels read, deeper is refused without exhausting the stack")
    func nesting() throws {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        #expect(throws: Never.self) { try JSONValue(parsing: nested(512)) }
        #expect(Self.decoded(nested(513)) == nil)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: nested(513)) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: String(repeating: "{\"a\":", count: 200_000)) }
        let error = try #require(throws: JSONParseError.self) { try JSONValue(parsing: #"{"a": tru}"#) }
        #expect(error.offset == 6)
    }

    static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let kind = Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &generator)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .int(Int64.random(in: Int64.min...Int64.max, using: &generator) >> Int64.random(in: 0...62, using: &generator))
        case 3:
            let double = Double.random(in: -1e6...1e6, using: &generator)
            return double == double.rounded() ? .int(Int64(double)) : .double(double)
        case 4:
            let alphabet = Array("ab \"\\/\n\t\u{01}é€😀{}[],:")
            return .string(String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        case 5:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for index in 0..<Int.random(in: 0...4, using: &generator) {
                members["k\(index)\(["", "é", "\"", "\n"].randomElement(using: &generator)!)"] = randomValue(
                    depth: depth + 1, using: &generator)
            }
            return .object(members)
        }
    }
}

/// A reproducible random number generator (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
