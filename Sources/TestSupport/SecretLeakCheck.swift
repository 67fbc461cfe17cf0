import Foundation

/// Every way a value may end up as text (a log line, an event, a crash report), to check that no secret is in it.
public enum SecretLeakCheck {
    /// The value's `description`, `debugDescription`, `dump` output and, for errors, `localizedDescription`.
    public static func renderings(of value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        var texts = [String(describing: value), String(reflecting: value), dumped]
        if let error = value as? any Error { texts.append(error.localizedDescription) }
        return texts
    }

    /// The renderings of `value` that contain `secret`; empty when none does.
    public static func leaks(of secret: String, in value: Any) -> [String] {
        renderings(of: value).filter { $0.contains(secret) }
    }
}
