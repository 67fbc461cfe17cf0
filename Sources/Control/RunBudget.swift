import Events

/// What one run has spent so far, and whether it may take another step (SPEC section 8).
///
/// The agent loop asks `check(at:)` before every model call and every tool call. Token and cost totals sum the
/// turns whose usage is known; a turn without usage, or a model without a price, makes the totals incomplete and
/// the cost unknown (never zero), which `costKnown` tells, so the caller can say once that the cost limit cannot be
/// enforced.
public struct RunBudget: Sendable, Equatable {
    public let limits: RunLimits
    /// Model calls made so far (a step is one model call), earlier attempts of the same message included.
    public private(set) var steps: Int
    public private(set) var inputTokens = 0
    public private(set) var outputTokens = 0
    /// The sum of the known costs.
    public private(set) var knownCost = 0.0
    /// Whether every turn so far reported its usage.
    public private(set) var usageComplete = true
    /// Whether any turn so far reported its usage (else the totals are unknown, not 0).
    public private(set) var usageKnown = false
    /// Whether every turn so far had a known cost.
    public private(set) var costKnown = true
    /// The model cost spent today before this run, per chat and in all (the larger of the two), when a daily limit is set.
    public let spentToday: Double?

    public init(limits: RunLimits, stepsAlreadyTaken: Int = 0, spentToday: Double? = nil) {
        self.limits = limits
        self.steps = stepsAlreadyTaken
        self.spentToday = spentToday
    }

    /// Tokens in and out.
    public var tokens: Int { inputTokens + outputTokens }

    /// The run's cost, or `nil` when a turn's cost is unknown.
    public var cost: Double? { costKnown ? knownCost : nil }

    /// Records one model call: its usage (nil when the provider gave none) and its cost (nil when unknown).
    public mutating func recordStep(inputTokens: Int?, outputTokens: Int?, cost: Double?) {
        steps += 1
        if let inputTokens, let outputTokens {
            self.inputTokens += inputTokens
            self.outputTokens += outputTokens
            usageKnown = true
        } else {
            usageComplete = false
        }
        if let cost { knownCost += cost } else { costKnown = false }
    }

    /// The limit the run has reached before its next step, if any. `elapsed` is the run's wall time so far.
    ///
    /// The order is the order of what a user would want to hear first: today's budget, then the run's own steps,
    /// wall time, tokens and cost.
    public func reached(elapsed: Duration) -> LimitReached? {
        if let daily = limits.dailyCostUSD, let spentToday, spentToday + knownCost >= daily {
            return LimitReached(.dailyCost, limit: .double(daily), used: .double(spentToday + knownCost))
        }
        if steps >= limits.maxSteps {
            return LimitReached(.steps, limit: .int(Int64(limits.maxSteps)), used: .int(Int64(steps)))
        }
        if elapsed >= limits.maxWall {
            return LimitReached(.wall, limit: .int(limits.maxWall.components.seconds), used: .int(elapsed.components.seconds))
        }
        if tokens >= limits.maxTokens {
            return LimitReached(.tokens, limit: .int(Int64(limits.maxTokens)), used: .int(Int64(tokens)))
        }
        if knownCost >= limits.maxCostUSD {
            return LimitReached(.cost, limit: .double(limits.maxCostUSD), used: .double(knownCost))
        }
        return nil
    }
}
