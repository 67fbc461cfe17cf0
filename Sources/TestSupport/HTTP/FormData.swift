/// `application/x-www-form-urlencoded` text and query strings, decoded.
enum FormData {
    /// The name-value pairs of `text` (`a=1&b=x+y`), `+` read as a space and `%XX` decoded; a repeated name keeps
    /// its last value. `nil` when an escape is malformed or the bytes are not UTF-8.
    static func decode(_ text: String) -> [String: String]? {
        var pairs: [String: String] = [:]
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(halves[0]), let value = unescape(halves.count > 1 ? halves[1] : "") else { return nil }
            pairs[name] = value
        }
        return pairs
    }

    private static func unescape(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
