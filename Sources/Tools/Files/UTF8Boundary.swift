/// Cuts of UTF-8 bytes that do not split a character.
enum UTF8Boundary {
    /// Removes a character cut short at the end of `bytes`, if any.
    static func dropIncompleteEnd(of bytes: inout [UInt8]) {
        var index = bytes.count - 1
        var continuations = 0
        while index >= 0 && bytes[index] & 0xC0 == 0x80 && continuations < 3 {
            index -= 1
            continuations += 1
        }
        guard index >= 0 else { return }
        let lead = bytes[index]
        let expected = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        if continuations + 1 < expected { bytes.removeLast(continuations + 1) }
    }

    /// The longest prefix of `text` of at most `characters` characters, and whether it was cut.
    static func prefix(_ text: Substring, characters: Int) -> (text: Substring, cut: Bool) {
        guard let end = text.index(text.startIndex, offsetBy: characters, limitedBy: text.endIndex), end < text.endIndex else {
            return (text, false)
        }
        return (text[..<end], true)
    }
}
