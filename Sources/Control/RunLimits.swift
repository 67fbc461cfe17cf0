import Settings

/// The limits of one agent run and of a day's spending (SPEC section 8), read from the environment.
public struct RunLimits: Sendable, Equatable {
    /// Model calls in one run (`AGENT_MAX_STEPS`, 24).
    public var maxSteps: Int
    /// Wall time of one run (`AGENT_MAX_WALL_S`, 300 s).
    public var maxWall: Duration
    /// Tokens in and out of one run (`AGENT_MAX_TOKENS`, 200,000).
    public var maxTokens: Int
    /// Cost of one run (`AGENT_MAX_COST_USD`, 0.50).
    public var maxCostUSD: Double
    /// Cost of one day, per chat and in all (`AGENT_DAILY_COST_USD`); `nil`: no daily limit.
    public var dailyCostUSD: Double?
    /// How many repeats make a run stalled (`AGENT_NO_PROGRESS_K`, 3): the same call with the same result, or turns
    /// without anything new.
    public var noProgressK: Int

    public init(
        maxSteps: Int = 24, maxWall: Duration = .seconds(300), maxTokens: Int = 200_000, maxCostUSD: Double = 0.50,
        dailyCostUSD: Double? = nil, noProgressK: Int = 3
    ) {
        self.maxSteps = maxSteps
        self.maxWall = maxWall
        self.maxTokens = maxTokens
        self.maxCostUSD = maxCostUSD
        self.dailyCostUSD = dailyCostUSD
        self.noProgressK = noProgressK
    }

    /// Reads every limit; a malformed one is an error naming its variable.
    public init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.init(
            maxSteps: try environment.integer("AGENT_MAX_STEPS", default: 24, in: 1...10_000),
            maxWall: try environment.seconds("AGENT_MAX_WALL_S", default: 300),
            maxTokens: try environment.integer("AGENT_MAX_TOKENS", default: 200_000, in: 1...100_000_000),
            maxCostUSD: try environment.number("AGENT_MAX_COST_USD", default: 0.50, in: 0...1_000_000),
            dailyCostUSD: environment.optional("AGENT_DAILY_COST_USD") == nil
                ? nil : try environment.number("AGENT_DAILY_COST_USD", default: 0, in: 0...1_000_000),
            noProgressK: try environment.integer("AGENT_NO_PROGRESS_K", default: 3, in: 1...1000))
    }
}
