import Events
import Foundation

/// Replaces secrets in texts bound for the event log: known values, and anything shaped like an OpenAI key or a
/// Telegram bot token.
public struct SecretMasker: Sendable {
    public static let replacement = "[REDACTED]"
    private let values: [String]

    /// - Parameter values: the secrets to mask wherever they appear (values shorter than 8 bytes are ignored).
    public init(values: [String]) {
        self.values = values.filter { $0.utf8.count >= 8 }.sorted { $0.utf8.count > $1.utf8.count }
    }

    /// `text` with every known secret value replaced by `[REDACTED]`: for tool results bound for the model, whose
    /// commands never had the secrets in their environment (the shape check of `mask(_:)` is for the event log).
    public func maskKnownValues(_ text: String) -> String {
        var result = text
        for value in values where result.contains(value) {
            result = result.replacing(value, with: Self.replacement)
        }
        return result
    }

    /// `text` with every secret replaced by `[REDACTED]`: the known values, then every secret-shaped word
    /// (words are separated by whitespace, which is kept as it is).
    public func mask(_ text: String) -> String {
        let result = maskKnownValues(text)
        guard result.contains(where: { $0 == "-" || $0 == ":" }) else { return result }
        var masked = ""
        var word = ""
        for character in result {
            if character.isWhitespace {
                masked += Self.looksLikeSecret(word) ? Self.replacement : word
                masked.append(character)
                word = ""
            } else {
                word.append(character)
            }
        }
        masked += Self.looksLikeSecret(word) ? Self.replacement : word
        return masked
    }

    /// `value` with every string inside it masked. Strings are first cut to `maxBytes` (at a character
    /// boundary), so that a huge argument (the content of a `write`) costs no more than what will be stored.
    public func mask(_ value: JSONValue, maxBytes: Int = .max) -> JSONValue {
        switch value {
        case .string(let text):
            .string(mask(text.utf8.count > maxBytes ? PayloadSanitizer.prefix(of: text, maxBytes: maxBytes) : text))
        case .array(let items): .array(items.map { mask($0, maxBytes: maxBytes) })
        case .object(let members): .object(members.mapValues { mask($0, maxBytes: maxBytes) })
        default: value
        }
    }

    /// Whether `word` (or its part after `=`) has the shape of an OpenAI key (`sk-` and 20 or more key characters)
    /// or of a Telegram bot token (digits, `:`, and 30 or more key characters).
    static func looksLikeSecret(_ word: String) -> Bool {
        let candidate = word.split(separator: "=", maxSplits: 1).last.map(String.init) ?? word
        let trimmed = candidate.trimmingCharacters(in: CharacterSet(charactersIn: "\"'`,;()[]{}"))
        func isKeyCharacter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        let bytes = Array(trimmed.utf8)
        if bytes.starts(with: Array("sk-".utf8)) {
            return bytes.count >= 23 && bytes.dropFirst(3).allSatisfy(isKeyCharacter)
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon >= 6 else { return false }
        let digits = bytes[..<colon]
        let key = bytes[(colon + 1)...]
        return digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } && key.count >= 30
            && key.allSatisfy(isKeyCharacter)
    }
}
