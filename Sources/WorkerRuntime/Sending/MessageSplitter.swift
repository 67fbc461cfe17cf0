import Foundation

/// Cuts a text into parts Telegram accepts: at most 4096 UTF-16 units each.
///
/// A cut falls on the last paragraph break (`\n\n`) that fits, else the last line break, else the last space,
/// else at the limit (never inside a character). Parts are trimmed of the breaks they were cut at; no part is
/// empty, so an empty text has no parts.
public enum MessageSplitter {
    /// Telegram's limit for the text of one message, in UTF-16 code units.
    public static let limit = 4096

    public static func split(_ text: String, limit: Int = limit) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while rest.utf16.count > limit {
            let window = prefix(of: rest, utf16Units: limit)
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
