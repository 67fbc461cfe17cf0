import Events
import Foundation

/// A limit of SPEC section 8 that a run has reached: which one, its value, how much was used, and the variable
/// that raises it.
public struct LimitReached: Error, Sendable, Equatable {
    /// The limits, named as in `control.limit_reached {limit}`.
    public enum Limit: String, Sendable, CaseIterable {
        case steps = "max_steps"
        case wall = "max_wall_s"
        case tokens = "max_tokens"
        case cost = "max_cost_usd"
        case dailyCost = "daily_cost_usd"

        /// The environment variable that sets it.
        public var variable: String {
            switch self {
            case .steps: "AGENT_MAX_STEPS"
            case .wall: "AGENT_MAX_WALL_S"
            case .tokens: "AGENT_MAX_TOKENS"
            case .cost: "AGENT_MAX_COST_USD"
            case .dailyCost: "AGENT_DAILY_COST_USD"
            }
        }
    }

    public let limit: Limit
    /// The limit's value.
    public let value: JSONValue
    /// What the run (or the day) used when it was reached.
    public let used: JSONValue

    public init(_ limit: Limit, limit value: JSONValue, used: JSONValue) {
        self.limit = limit
        self.value = value
        self.used = used
    }

    /// The payload of `control.limit_reached`.
    public var payload: JSONObject {
        ["limit": .string(limit.rawValue), "value": value, "used": used, "variable": .string(limit.variable)]
    }

    /// The short reply the user gets: the limit, its value and the variable that raises it.
    public var message: String {
        let variable = "\(limit.variable)=\(Self.text(value))"
        switch limit {
        case .steps:
            return "⏹ I stopped after \(Self.text(used)) steps: that is the limit of one answer (\(variable)). "
                + "Write to me to go on, or raise \(limit.variable)."
        case .wall:
            return "⏱ I stopped: this answer took longer than \(Self.text(value)) s, the time limit of one answer (\(variable)). "
                + "Raise \(limit.variable) for longer tasks."
        case .tokens:
            return "⏹ I stopped: this answer used \(Self.text(used)) tokens, the limit of one answer is \(Self.text(value)) "
                + "(\(variable)). Raise \(limit.variable) for bigger tasks."
        case .cost:
            return "💸 I stopped: this answer cost \(Self.dollars(used)), the limit of one answer is \(Self.dollars(value)) "
                + "(\(variable)). Raise \(limit.variable) for bigger tasks."
        case .dailyCost:
            return "💸 Today's model budget of \(Self.dollars(value)) is spent (\(Self.dollars(used)); \(variable)). "
                + "Try again tomorrow, or raise \(limit.variable)."
        }
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .int(let number): String(number)
        case .double(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        default: value.serialized
        }
    }

    private static func dollars(_ value: JSONValue) -> String {
        let amount = value.doubleValue ?? 0
        return String(format: amount < 0.01 && amount > 0 ? "$%.6f" : "$%.2f", amount)
    }
}
