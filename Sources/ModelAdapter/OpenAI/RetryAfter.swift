import Foundation

/// How long a provider asks a client to wait, from its answer's headers.
enum RetryAfter {
    /// `retry-after-ms` (milliseconds), else `Retry-After` (seconds, or an HTTP date), else, for a rate limit
    /// (429) only, the shortest of `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` (`1s`, `6m0s`,
    /// `250ms`). OpenAI sends the reset headers on most answers, errors included: they say when a quota window
    /// refills, not how long a failed server wants to be left alone, so a 5xx keeps the backoff of SPEC section 8.
    /// Header names lowercased; `status` is the effective one (a 429 code given with status 200 counts as 429).
    static func read(_ headers: [String: String], status: Int, now: Date) -> Duration? {
        if let text = headers["retry-after-ms"], let milliseconds = Double(text.trimmingCharacters(in: .whitespaces)), milliseconds >= 0 {
            return .milliseconds(Int64(milliseconds.rounded()))
        }
        if let text = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64((seconds * 1000).rounded())) }
            if let date = httpDate(text) { return .milliseconds(max(0, Int64((date.timeIntervalSince(now) * 1000).rounded()))) }
        }
        guard status == 429 else { return nil }
        let resets = ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"].compactMap { headers[$0].flatMap(goDuration) }
        return resets.min()
    }

    /// An IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`).
    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// A duration written like Go's (`1h2m3.5s`, `250ms`).
    private static func goDuration(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var index = text.startIndex
        var matched = false
        while index < text.endIndex {
            let character = text[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = text.index(after: index)
                continue
            }
            guard let value = Double(number) else { return nil }
            let rest = text[index...]
            let (unit, length): (Double, Int) =
                rest.hasPrefix("ms")
                ? (0.001, 2) : rest.hasPrefix("h") ? (3600, 1) : rest.hasPrefix("m") ? (60, 1) : rest.hasPrefix("s") ? (1, 1) : (0, 0)
            guard length > 0 else { return nil }
            total += value * unit
            matched = true
            number = ""
            index = text.index(index, offsetBy: length)
        }
        guard matched, number.isEmpty else { return nil }
        return .milliseconds(Int64((total * 1000).rounded()))
    }
}
