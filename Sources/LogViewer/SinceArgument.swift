import Events

/// The value of `--since`: an event id (`4711`) or a duration back from now (`30s`, `10m`, `2h`, `7d`).
public enum SinceArgument: Sendable, Equatable {
    case eventID(Int64)
    case duration(milliseconds: Int64)

    /// Parses the argument; `nil` when it is neither form.
    public init?(_ text: String) {
        if let id = Int64(text), id >= 0 {
            self = .eventID(id)
            return
        }
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
        let unitMilliseconds: Int64
        switch unit {
        case "s": unitMilliseconds = 1_000
        case "m": unitMilliseconds = 60_000
        case "h": unitMilliseconds = 3_600_000
        case "d": unitMilliseconds = 86_400_000
        default: return nil
        }
        let (product, overflow) = amount.multipliedReportingOverflow(by: unitMilliseconds)
        guard !overflow else { return nil }
        self = .duration(milliseconds: product)
    }

    /// Narrows `filter` to what this argument admits, given the time now in unix milliseconds.
    public func apply(to filter: inout EventFilter, now: Int64) {
        switch self {
        case .eventID(let id): filter.minimumID = id
        case .duration(let milliseconds): filter.minimumTimestamp = now - milliseconds
        }
    }
}
