import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Typed reads of environment variables, each failure naming its variable.
///
/// A variable set to the empty string counts as unset.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The value, or `nil` when unset or empty.
    public func optional(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// The value, or `fallback`.
    public func string(_ name: String, default fallback: String) -> String {
        optional(name) ?? fallback
    }

    /// The value; unset is an error.
    public func required(_ name: String) throws(ConfigurationError) -> String {
        guard let value = optional(name) else { throw ConfigurationError(variable: name, problem: "is required but not set") }
        return value
    }

    /// A secret: required, and its value never appears in an error.
    public func secret(_ name: String) throws(ConfigurationError) -> String {
        guard let value = optional(name) else { throw ConfigurationError(variable: name, problem: "is required but not set") }
        guard !value.contains(where: \.isWhitespace) else {
            throw ConfigurationError(variable: name, problem: "contains whitespace (value not shown)")
        }
        return value
    }

    /// A whole number in `range`, or `fallback` when unset.
    public func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int> = 0...Int.max) throws(ConfigurationError) -> Int {
        guard let text = optional(name) else { return fallback }
        guard let value = Int(text.trimmingBlanks), range.contains(value) else {
            throw ConfigurationError(
                variable: name, problem: "must be a whole number in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    /// A number in `range`, or `fallback` when unset.
    public func number(_ name: String, default fallback: Double, in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude)
        throws(ConfigurationError) -> Double
    {
        guard let text = optional(name) else { return fallback }
        guard let value = Double(text.trimmingBlanks), value.isFinite, range.contains(value) else {
            throw ConfigurationError(
                variable: name, problem: "must be a number in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    /// A duration given in whole seconds (at least 1 unless `allowZero`).
    public func seconds(_ name: String, default fallback: Int, allowZero: Bool = false) throws(ConfigurationError) -> Duration {
        .seconds(try integer(name, default: fallback, in: (allowZero ? 0 : 1)...(10 * 365 * 86_400)))
    }

    /// A duration given in milliseconds.
    public func milliseconds(_ name: String, default fallback: Int) throws(ConfigurationError) -> Duration {
        .milliseconds(try integer(name, default: fallback, in: 0...(86_400_000)))
    }

    /// `1`/`true`/`yes` or `0`/`false`/`no`; `fallback` when unset.
    public func flag(_ name: String, default fallback: Bool = false) throws(ConfigurationError) -> Bool {
        guard let text = optional(name)?.lowercased() else { return fallback }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, problem: "must be 1 or 0, got \"\(text)\"")
        }
    }

    /// A comma-separated list of integer ids (Telegram user ids); empty when unset.
    public func idList(_ name: String) throws(ConfigurationError) -> [Int64] {
        guard let text = optional(name) else { return [] }
        var ids: [Int64] = []
        for part in text.split(separator: ",") {
            let trimmed = part.trimmingBlanks
            if trimmed.isEmpty { continue }
            guard let id = Int64(trimmed) else {
                throw ConfigurationError(variable: name, problem: "must be a comma-separated list of numeric ids, got \"\(trimmed)\"")
            }
            ids.append(id)
        }
        return ids
    }

    /// An absolute URL with a scheme of `http` or `https`, without a trailing `/`.
    public func url(_ name: String, default fallback: String) throws(ConfigurationError) -> URL {
        let text = string(name, default: fallback)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw ConfigurationError(variable: name, problem: "must be an http(s) URL, got \"\(text)\"")
        }
        return text.hasSuffix("/") ? URL(string: String(text.dropLast()))! : url
    }
}
