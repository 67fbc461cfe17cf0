/// The text of a draft: what the final HTML message will show, as plain text, cut to Telegram's limit.
///
/// Drafts are sent without a parse mode, since a half-written answer is rarely valid HTML (an open `<b>`, half an
/// entity). Tags are dropped and the five entities decoded; a tag or an entity still being written at the end is
/// left out until it is whole, so that a draft never shrinks as the answer grows. Past `limit` UTF-16 units the
/// text is cut on the last word boundary (on a grapheme, or inside a grapheme longer than the limit) and ends with
/// "…".
enum DraftText {
    static let limit = 4096

    /// The draft for `html`, the answer so far.
    static func preview(of html: String, limit: Int = limit) -> String {
        cut(visibleText(of: html), to: limit)
    }

    /// `html` without its tags, entities decoded, a trailing tag or entity being written left out.
    static func visibleText(of html: String) -> String {
        guard html.contains("<") || html.contains("&") else { return html }
        var result = ""
        result.reserveCapacity(html.utf8.count)
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<" {
                let next = html.index(after: index)
                if next == html.endIndex { break }  // Perhaps a tag about to be written.
                if html[next] == "/" || html[next].isLetter {
                    guard let close = html[next...].firstIndex(of: ">") else { break }  // A tag being written.
                    index = html.index(after: close)
                    continue
                }
            }
            if character == "&" {
                let rest = html[html.index(after: index)...]
                let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "#" }
                if name.endIndex == rest.endIndex, name.count < 8 { break }  // An entity being written.
                if name.endIndex < rest.endIndex, rest[name.endIndex] == ";", let decoded = entity(String(name)) {
                    result.append(decoded)
                    index = html.index(after: name.endIndex)
                    continue
                }
            }
            result.append(character)
            index = html.index(after: index)
        }
        return result
    }

    private static func entity(_ name: String) -> Character? {
        switch name {
        case "lt": "<"
        case "gt": ">"
        case "amp": "&"
        case "quot": "\""
        case "#39", "apos": "'"
        default: nil
        }
    }

    /// `text` within `limit` UTF-16 units: whole, or cut on the last word boundary with "…".
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        let room = limit - 1  // For the "…".
        var used = 0
        var end = text.startIndex
        var lastSpace: String.Index?
        for index in text.indices {
            let width = text[index].utf16.count
            guard used + width <= room else { break }
            if text[index].isWhitespace { lastSpace = index }
            used += width
            end = text.index(after: index)
        }
        if end == text.startIndex {
            // One grapheme longer than the limit (a letter under thousands of accents): cut between its scalars.
            var scalars = String.UnicodeScalarView()
            var units = 0
            for scalar in text.unicodeScalars {
                let width = scalar.utf16.count
                guard units + width <= room else { break }
                scalars.append(scalar)
                units += width
            }
            return String(scalars) + "…"
        }
        let kept = text[..<(lastSpace ?? end)]
        let trimmed = kept.reversed().drop { $0.isWhitespace }.count
        return String(kept.prefix(trimmed)) + "…"
    }
}
