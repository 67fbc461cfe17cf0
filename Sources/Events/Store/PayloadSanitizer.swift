/// Makes a payload fit to store: no secret in it, no text longer than 8 KiB.
///
/// Texts over the limit are cut at a character boundary and the payload gets `"payload_truncated": true`.
/// Registered secrets are replaced by `[REDACTED]` wherever they occur, in keys' values at any depth.
public struct PayloadSanitizer: Sendable {
    /// The most bytes (UTF-8) of any one text kept in a payload.
    public static let maxTextBytes = 8 * 1024

    private let secrets: [String]

    /// - Parameter secrets: values that must never be stored (tokens, keys); empty and very short ones are ignored.
    public init(secrets: [String] = []) {
        self.secrets = secrets.filter { $0.utf8.count >= 6 }
    }

    /// The payload as stored text.
    public func serialize(_ payload: JSONObject) -> String {
        if secrets.isEmpty, payload.values.allSatisfy(Self.isShort) {
            return JSONValue.object(payload).serialized  // Nothing to clean: the common case, one pass.
        }
        var truncated = false
        var cleaned = payload.mapValues { clean($0, truncated: &truncated) }
        if truncated { cleaned["payload_truncated"] = true }
        return JSONValue.object(cleaned).serialized
    }

    /// `text` with every registered secret replaced.
    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: "[REDACTED]")
        }
        return result
    }

    private func clean(_ value: JSONValue, truncated: inout Bool) -> JSONValue {
        switch value {
        case .string(let text):
            var text = secrets.isEmpty ? text : redact(text)
            if text.utf8.count > Self.maxTextBytes {
                text = Self.prefix(of: text, maxBytes: Self.maxTextBytes)
                truncated = true
            }
            return .string(text)
        case .array(let items):
            return .array(items.map { clean($0, truncated: &truncated) })
        case .object(let members):
            return .object(members.mapValues { clean($0, truncated: &truncated) })
        default:
            return value
        }
    }

    /// Whether no text anywhere in `value` is over the limit.
    static func isShort(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.utf8.count <= maxTextBytes
        case .array(let items): items.allSatisfy(isShort)
        case .object(let members): members.values.allSatisfy(isShort)
        default: true
        }
    }

    /// The longest prefix of `text` made of whole characters and at most `maxBytes` bytes of UTF-8.
    public static func prefix(of text: String, maxBytes: Int) -> String {
        var bytes = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text.index(after: index)
            let size = text.utf8.distance(from: index, to: next)
            if bytes + size > maxBytes { break }
            bytes += size
            end = next
        }
        return String(text[..<end])
    }
}
