import Control
import Events
import Testing

/// The run's accounting and its limits (SPEC section 8), and the no-progress rule.
@Suite("Run budget and progress", .timeLimit(.minutes(1)))
struct RunBudgetTests {
    @Test("steps, tokens and cost are checked in order; a step past the limit is refused")
    func limits() {
        var budget = RunBudget(limits: RunLimits(maxSteps: 3, maxTokens: 1000, maxCostUSD: 0.5))
        #expect(budget.reached(elapsed: .zero) == nil)
        budget.recordStep(inputTokens: 400, outputTokens: 100, cost: 0.1)
        budget.recordStep(inputTokens: 400, outputTokens: 99, cost: 0.1)
        #expect(budget.reached(elapsed: .zero) == nil)
        budget.recordStep(inputTokens: 1, outputTokens: 0, cost: 0.1)
        #expect(budget.reached(elapsed: .zero)?.limit == .steps)
        #expect(budget.reached(elapsed: .zero)?.payload["value"] == 3)
        #expect(budget.tokens == 1000)
    }

    @Test("tokens, cost, wall time and the daily budget each stop the run, naming the variable")
    func eachLimit() {
        var tokens = RunBudget(limits: RunLimits(maxTokens: 100))
        tokens.recordStep(inputTokens: 90, outputTokens: 10, cost: 0)
        #expect(tokens.reached(elapsed: .zero)?.limit == .tokens)
        var cost = RunBudget(limits: RunLimits(maxCostUSD: 0.01))
        cost.recordStep(inputTokens: 1, outputTokens: 1, cost: 0.02)
        #expect(cost.reached(elapsed: .zero)?.limit == .cost)
        #expect(cost.reached(elapsed: .zero)?.message.contains("AGENT_MAX_COST_USD") == true)
        let wall = RunBudget(limits: RunLimits(maxWall: .seconds(5)))
        #expect(wall.reached(elapsed: .seconds(5))?.limit == .wall)
        #expect(wall.reached(elapsed: .seconds(4)) == nil)
        var daily = RunBudget(limits: RunLimits(dailyCostUSD: 1), spentToday: 0.99)
        #expect(daily.reached(elapsed: .zero) == nil)
        daily.recordStep(inputTokens: 1, outputTokens: 1, cost: 0.01)
        let reached = daily.reached(elapsed: .zero)
        #expect(reached?.limit == .dailyCost)
        #expect(reached?.message.contains("AGENT_DAILY_COST_USD=1") == true)
    }

    @Test("a turn without usage leaves the totals incomplete; an unknown cost is nil, never 0")
    func unknownUsage() {
        var budget = RunBudget(limits: RunLimits())
        #expect(!budget.usageKnown)
        budget.recordStep(inputTokens: nil, outputTokens: nil, cost: nil)
        #expect(!budget.usageKnown)
        #expect(!budget.usageComplete)
        #expect(budget.cost == nil)
        budget.recordStep(inputTokens: 5, outputTokens: 5, cost: 0.001)
        #expect(budget.usageKnown)
        #expect(budget.tokens == 10)
        #expect(budget.cost == nil)
    }

    @Test("steps of earlier attempts count")
    func earlierSteps() {
        let budget = RunBudget(limits: RunLimits(maxSteps: 2), stepsAlreadyTaken: 2)
        #expect(budget.reached(elapsed: .zero)?.limit == .steps)
    }

    @Test("the same call with the same result k times, not necessarily in a row, is a stall")
    func repeatedCall() throws {
        var detector = ProgressDetector(k: 3)
        detector.beginTurn(hasText: false)
        try detector.record(tool: "read", arguments: "{}", result: "a")
        try detector.record(tool: "ls", arguments: "{}", result: "b")
        try detector.record(tool: "read", arguments: "{}", result: "changed")
        try detector.endTurn()
        detector.beginTurn(hasText: false)
        try detector.record(tool: "read", arguments: "{}", result: "a")
        #expect(throws: ProgressDetector.Stalled.self) { try detector.record(tool: "read", arguments: "{}", result: "a") }
    }

    @Test("k turns in a row without a new result or text are a stall; text or a new result resets the count")
    func idleTurns() throws {
        var detector = ProgressDetector(k: 2)
        detector.beginTurn(hasText: false)
        try detector.record(tool: "ls", arguments: "{}", result: "x")
        try detector.endTurn()
        detector.beginTurn(hasText: true)
        try detector.endTurn()
        detector.beginTurn(hasText: false)
        try detector.endTurn()
        detector.beginTurn(hasText: false)
        #expect(throws: ProgressDetector.Stalled.self) { try detector.endTurn() }
    }
}
