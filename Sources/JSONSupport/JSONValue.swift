import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// A JSON value: event payloads, tool schemas and tool arguments, the bodies the doubles check.
///
/// Printed with sorted keys and no spaces, so that the same value always gives the same bytes (a stable prompt
/// prefix is what lets a provider cache it).
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text (`JSONParser`: numbers, duplicate names and trailing commas as `JSONDecoder` reads them).
    /// - Throws: `JSONParseError`.
    public init(parsing text: String) throws {
        self = try JSONParser.parse(text)
    }

    /// The value as compact JSON text, object keys sorted so equal values print equally.
    public var serialized: String {
        var output = ""
        write(to: &output)
        return output
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var int64Value: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value) where value == value.rounded(): Int64(exactly: value)
        default: nil
        }
    }

    /// The number as an `Int`, when it is a whole number.
    public var intValue: Int? {
        int64Value.flatMap { Int(exactly: $0) }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// Appends the value's JSON text to `output`.
    public func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .double(let value):
            if value.isFinite {
                output += value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            } else {
                output += "null"
            }
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output += "," }
                Self.writeString(member.key, to: &output)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        }
    }

    /// Writes `text` as a JSON string literal, escaping quotes, backslashes and control characters.
    public static func writeString(_ text: String, to output: inout String) {
        output += "\""
        var needsEscaping = false
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0xE2 {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            output += text
            output += "\""
            return
        }
        // Runs of bytes that need no escape are copied whole; the escaped bytes are ASCII (or the start of U+2028 and
        // U+2029), so every cut falls on a scalar boundary.
        let utf8 = text.utf8
        var runStart = utf8.startIndex
        var index = runStart
        while index != utf8.endIndex {
            let byte = utf8[index]
            var next = utf8.index(after: index)
            let escape: String?
            switch byte {
            case 0x22: escape = "\\\""
            case 0x5C: escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0x00..<0x20:
                let hex = String(byte, radix: 16)
                escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            case 0xE2:
                let second = next == utf8.endIndex ? nil : utf8[next]
                let thirdIndex = next == utf8.endIndex ? next : utf8.index(after: next)
                let third = thirdIndex == utf8.endIndex ? nil : utf8[thirdIndex]
                if second == 0x80, third == 0xA8 || third == 0xA9 {
                    escape = third == 0xA8 ? "\\u2028" : "\\u2029"
                    next = utf8.index(after: thirdIndex)
                } else {
                    escape = nil
                }
            default: escape = nil
            }
            if let escape {
                output.append(contentsOf: Substring(utf8[runStart..<index]))
                output += escape
                runStart = next
            }
            index = next
        }
        output.append(contentsOf: Substring(utf8[runStart..<utf8.endIndex]))
        output += "\""
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let items): try container.encode(items)
        case .object(let members): try container.encode(members)
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue {
    /// An integer, or `null` when absent.
    public init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
    /// An integer, or `null` when absent.
    public init(_ value: Int64?) { self = value.map(JSONValue.int) ?? .null }
    /// An integer, or `null` when absent.
    public init(_ value: Int32?) { self = value.map { .int(Int64($0)) } ?? .null }
    /// A number, or `null` when absent.
    public init(_ value: Double?) { self = value.map(JSONValue.double) ?? .null }
    /// A text, or `null` when absent.
    public init(_ value: String?) { self = value.map(JSONValue.string) ?? .null }
    /// A flag, or `null` when absent.
    public init(_ value: Bool?) { self = value.map(JSONValue.bool) ?? .null }
}

/// An event payload: a JSON object.
public typealias JSONObject = [String: JSONValue]
