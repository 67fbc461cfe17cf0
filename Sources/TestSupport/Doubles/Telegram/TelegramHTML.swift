import Events
import Foundation

/// Telegram's `parse_mode: HTML`: the visible text and its entities, or the error Telegram gives.
///
/// Supported tags: `b strong i em u ins s strike del span class="tg-spoiler" tg-spoiler a href code pre blockquote
/// tg-emoji`; the entities `&lt; &gt; &amp; &quot;` and numeric ones. Any other `<` is an error, as on Telegram.
enum TelegramHTML {
    /// Why Telegram would refuse an HTML text: the part after "can't parse entities: ".
    struct Failure: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    struct Parsed: Equatable {
        let text: String
        /// `MessageEntity` objects with UTF-16 offsets and lengths.
        let entities: [JSONValue]
    }

    private static let entityKinds: [String: String] = [
        "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
        "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
        "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
        "tg-emoji": "custom_emoji",
    ]

    /// The visible text and entities of `text`, or why it does not parse.
    static func parse(_ text: String) -> Result<Parsed, Failure> {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var utf16Length = 0
        var open: [(tag: String, start: Int, attributes: [String: String])] = []
        var entities: [JSONValue] = []
        var index = 0
        func appendText(_ piece: [UInt8]) {
            output.append(contentsOf: piece)
            utf16Length += String(decoding: piece, as: UTF8.self).utf16.count
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&") {
                let (decoded, consumed) = entity(bytes, at: index)
                appendText(decoded)
                index += consumed
                continue
            }
            guard byte == UInt8(ascii: "<") else {
                var end = index + 1
                while end < bytes.count && bytes[end] != UInt8(ascii: "<") && bytes[end] != UInt8(ascii: "&") { end += 1 }
                appendText(Array(bytes[index..<end]))
                index = end
                continue
            }
            let tagStart = index
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else {
                return .failure(Failure("Unclosed start tag at byte offset \(tagStart)"))
            }
            let inside = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
            index = close + 1
            if inside.hasPrefix("/") {
                let name = inside.dropFirst().trimmingCharacters(in: .whitespaces).lowercased()
                guard let top = open.last else {
                    return .failure(Failure("Unexpected end tag at byte offset \(tagStart)"))
                }
                guard name == top.tag else {
                    return .failure(
                        Failure("Unmatched end tag at byte offset \(tagStart), expected \"</\(top.tag)>\", found \"</\(name)>\""))
                }
                open.removeLast()
                if let kind = entityKinds[top.tag], utf16Length > top.start {
                    var members: [String: JSONValue] = [
                        "type": .string(kind), "offset": .int(Int64(top.start)), "length": .int(Int64(utf16Length - top.start)),
                    ]
                    if kind == "text_link" { members["url"] = .string(top.attributes["href"] ?? "") }
                    if kind == "custom_emoji" { members["custom_emoji_id"] = .string(top.attributes["emoji-id"] ?? "") }
                    if kind == "blockquote" && top.attributes["expandable"] != nil { members["type"] = "expandable_blockquote" }
                    entities.append(.object(members))
                }
                continue
            }
            let (name, attributes) = tag(inside)
            guard entityKinds[name] != nil else {
                return .failure(Failure("Unsupported start tag \"\(name)\" at byte offset \(tagStart)"))
            }
            if name == "span" && attributes["class"] != "tg-spoiler" {
                return .failure(Failure("Tag \"span\" must have class \"tg-spoiler\" at byte offset \(tagStart)"))
            }
            open.append((name, utf16Length, attributes))
        }
        if let unclosed = open.last {
            return .failure(Failure("Can't find end tag corresponding to start tag \"\(unclosed.tag)\""))
        }
        return .success(
            Parsed(
                text: String(decoding: output, as: UTF8.self),
                entities: entities.sorted { ($0["offset"]?.int64Value ?? 0) < ($1["offset"]?.int64Value ?? 0) }))
    }

    /// The tag name (lowercased) and its attributes.
    private static func tag(_ inside: String) -> (String, [String: String]) {
        let trimmed = inside.trimmingCharacters(in: .whitespaces)
        let name = String(trimmed.prefix { !$0.isWhitespace }).lowercased()
        var attributes: [String: String] = [:]
        var rest = Substring(trimmed.dropFirst(name.count))
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0.isWhitespace }
            var value = ""
            if let quote = rest.first, quote == "\"" || quote == "'" {
                let body = rest.dropFirst()
                let end = body.firstIndex(of: quote) ?? body.endIndex
                value = String(body[..<end])
                rest = end < body.endIndex ? body[body.index(after: end)...] : ""
            } else {
                value = String(rest.prefix { !$0.isWhitespace })
                rest = rest.dropFirst(value.count)
            }
            attributes[key] = value
        }
        let bare = rest.trimmingCharacters(in: .whitespaces)
        if !bare.isEmpty { attributes[bare.lowercased()] = "" }
        return (name, attributes)
    }

    /// The bytes an `&...;` sequence stands for and how many bytes it took; a lone `&` stands for itself.
    private static func entity(_ bytes: [UInt8], at start: Int) -> ([UInt8], Int) {
        guard let semicolon = bytes[start...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { return ([UInt8(ascii: "&")], 1) }
        let name = String(decoding: bytes[(start + 1)..<semicolon], as: UTF8.self)
        let consumed = semicolon - start + 1
        switch name {
        case "lt": return (Array("<".utf8), consumed)
        case "gt": return (Array(">".utf8), consumed)
        case "amp": return (Array("&".utf8), consumed)
        case "quot": return (Array("\"".utf8), consumed)
        default:
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let code = digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                if let code, let scalar = Unicode.Scalar(code) { return (Array(String(Character(scalar)).utf8), consumed) }
            }
            return ([UInt8(ascii: "&")], 1)
        }
    }
}
