import Foundation

/// Cuts a text into parts Telegram accepts: at most 4096 UTF-16 units each.
///
/// A cut falls on the last paragraph break (`\n\n`) that fits, else the last line break, else the last space,
/// else at the limit (never inside a character). A single character longer than the limit (a letter followed by
/// thousands of combining accents) is cut between its Unicode scalars, the one place a character is cut. Parts are
/// trimmed of the breaks they were cut at; no part is empty, so an empty text has no parts. Every round takes at
/// least one scalar, so the split always ends.
public enum MessageSplitter {
    /// Telegram's limit for the text of one message, in UTF-16 code units.
    public static let limit = 4096

    public static func split(_ text: String, limit: Int = limit) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while rest.utf16.count > limit {
            let window = prefix(of: rest, utf16Units: limit)
            if window.isEmpty {
                let (part, remainder) = splitScalars(of: rest, utf16Units: limit)
                parts.append(part)
                rest = remainder
                continue
            }
            let cut =
                window.range(of: "\n\n", options: .backwards)?.lowerBound
                ?? window.lastIndex(of: "\n")
                ?? window.lastIndex(where: { $0 == " " || $0 == "\t" })
            let end = cut.flatMap { $0 > window.startIndex ? $0 : nil } ?? window.endIndex
            let part = rest[..<end]
            if !part.isEmpty { parts.append(String(part)) }
            rest = rest[end...].drop(while: { $0 == "\n" || $0 == " " || $0 == "\t" })
        }
        if !rest.isEmpty { parts.append(String(rest)) }
        return parts
    }

    /// The longest prefix of whole Unicode scalars of `text` within `units` UTF-16 code units (at least one scalar,
    /// so that a split always moves on), and the rest.
    static func splitScalars(of text: Substring, utf16Units units: Int) -> (part: String, rest: Substring) {
        let scalars = text.unicodeScalars
        var count = 0
        var end = scalars.startIndex
        while end < scalars.endIndex {
            let size = scalars[end].utf16.count
            if count + size > units && count > 0 { break }
            count += size
            end = scalars.index(after: end)
        }
        return (String(String.UnicodeScalarView(scalars[..<end])), Substring(scalars[end...]))
    }

    /// The longest prefix of whole characters within `units` UTF-16 code units.
    static func prefix(of text: Substring, utf16Units units: Int) -> Substring {
        var count = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text.index(after: index)
            let size = text.utf16.distance(from: index, to: next)
            if count + size > units { break }
            count += size
            end = next
        }
        return text[..<end]
    }
}
