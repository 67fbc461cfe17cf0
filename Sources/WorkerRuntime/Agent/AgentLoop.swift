import Context
import Control
import Events
import Foundation
import ModelAdapter
import Tools

/// The turns of one run (SPEC sections 3 and 8): each turn is one model call plus the tool calls its answer asked
/// for, run one after the other through the registry; the run ends at the first answer without tool calls, at a
/// limit, or when it makes no progress.
///
/// Before every model call and every tool call the limits are checked; a reached limit leaves the pending calls
/// unrun. Every answer with tool calls and every result is stored in `messages` as soon as it exists (so a crash
/// loses at most the call in flight, and the next attempt resumes without running a stored call again); calls
/// left unrun get a stored "not run" result, so the history never holds a call without its result. Events:
/// `turn.started {n}` -> `model.completed` | `model.failed`, `tool_call.*` -> `turn.completed {n, input_tokens,
/// output_tokens}` | `turn.failed`; `control.limit_reached`, `control.limit_unenforceable` and `progress.stalled`
/// under the run.
public struct AgentLoop: Sendable {
    public let store: EventStore
    public let conversation: ConversationStore
    public let caller: ModelCaller<ContinuousClock>
    public let registry: ToolRegistry
    public let prices: PriceTable
    public let model: String
    public let failpoint: Failpoint
    public let trace: StageTrace

    public init(
        store: EventStore, conversation: ConversationStore, caller: ModelCaller<ContinuousClock>, registry: ToolRegistry,
        prices: PriceTable, model: String, failpoint: Failpoint = Failpoint(nil), trace: StageTrace = StageTrace(enabled: false)
    ) {
        self.store = store
        self.conversation = conversation
        self.caller = caller
        self.registry = registry
        self.prices = prices
        self.model = model
        self.failpoint = failpoint
        self.trace = trace
    }

    /// Where one run stands; the loop updates it as it goes, so the caller can close the run with its totals
    /// whatever ended it.
    public struct State: Sendable {
        public var transcript: RunTranscript
        public var budget: RunBudget
        public var detector: ProgressDetector
        /// Turns of this attempt.
        public var turns = 0
        /// Whether `control.limit_unenforceable` was recorded for the cost limit in this run.
        var costWarned = false

        public init(transcript: RunTranscript, budget: RunBudget, detector: ProgressDetector) {
            self.transcript = transcript
            self.budget = budget
            self.detector = detector
        }
    }

    /// What a run is about.
    public struct Run: Sendable {
        public let span: Span
        public let chatID: Int64
        public let inboxID: Int64
        /// The system prompt, the history and the user's message.
        public let context: [ChatMessage]
        /// The user's text, for failpoint filters.
        public let text: String
        public let startedAt: ContinuousClock.Instant
        /// Set when the answers stream into a Telegram draft: every turn's model call is then streamed to it.
        public let drafts: DraftStreamer?

        public init(
            span: Span, chatID: Int64, inboxID: Int64, context: [ChatMessage], text: String, startedAt: ContinuousClock.Instant,
            drafts: DraftStreamer? = nil
        ) {
            self.span = span
            self.chatID = chatID
            self.inboxID = inboxID
            self.context = context
            self.text = text
            self.startedAt = startedAt
            self.drafts = drafts
        }
    }

    /// Runs turns until the run ends by itself; errors (the model's after its retries, a stop, the database) are
    /// thrown with `state` left as far as it got.
    public func run(_ run: Run, state: inout State) async throws -> RunEnding {
        let tools = registry.definitions.map {
            ModelAdapter.ToolDefinition(name: $0.name, description: $0.description, parameters: $0.parameters)
        }
        if !state.transcript.pendingCalls.isEmpty {
            // A resumed attempt: the calls of the last stored answer that have no result yet come first.
            let turn = try run.span.child("turn", payload: ["n": .int(Int64(state.budget.steps)), "resumed": true])
            if let ending = try await runPendingCalls(of: run, in: turn, state: &state) {
                try turn.complete(["n": .int(Int64(state.budget.steps)), "resumed": true])
                return ending
            }
            try turn.complete(["n": .int(Int64(state.budget.steps)), "resumed": true])
        }
        while true {
            try Task.checkCancellation()
            if let limit = try limitReached(run, state: state) { return .limitReached(limit) }
            let n = Int64(state.budget.steps + 1)
            let turn = try run.span.child("turn", payload: ["n": .int(n)])
            state.turns += 1
            let request = CompletionRequest(model: model, messages: run.context + state.transcript.messages, tools: tools)
            failpoint.check(.beforeModelCall, message: run.text)
            let response: CompletionResponse
            reportModelCallStarting(run, state: state)
            trace.mark(.modelCalled, row: run.inboxID)
            do {
                response = try await callModel(request, turn: turn, n: Int(n), drafts: run.drafts)
                trace.mark(.modelAnswered, row: run.inboxID)
            } catch {
                if !Task.isCancelled {
                    _ = try? turn.event(EventKind.modelFailed, level: .error, payload: AgentResponder.failurePayload(error))
                }
                _ = try? turn.fail(["n": .int(n), "error": .string(AgentResponder.explain(error).reason)])
                throw error
            }
            reportStepDone()
            let cost = prices.cost(
                model: response.model, inputTokens: response.inputTokens, outputTokens: response.outputTokens,
                cachedTokens: response.cachedTokens)
            state.budget.recordStep(inputTokens: response.inputTokens, outputTokens: response.outputTokens, cost: cost)
            try turn.event(EventKind.modelCompleted, payload: Self.completionPayload(response, cost: cost))
            run.drafts?.recordDrafted(in: turn, streamed: response.streamed)
            try warnOnceIfCostUnknown(run, response: response, cost: cost, state: &state)
            let text = response.text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
            let turnTotals: JSONObject = [
                "n": .int(n), "input_tokens": JSONValue(response.inputTokens), "output_tokens": JSONValue(response.outputTokens),
            ]
            guard !response.toolCalls.isEmpty else {
                try turn.complete(turnTotals)
                return .answered(text)
            }
            try conversation.append(
                StoredMessage(
                    id: 0, chatID: run.chatID, role: "assistant", content: response.text ?? "",
                    toolCalls: StoredToolCalls.encode(response.toolCalls), runID: run.span.runID, ts: InboxStore.now()),
                inboxID: run.inboxID)
            state.transcript.append(answer: response.text, calls: response.toolCalls)
            state.detector.beginTurn(hasText: text != nil)
            if let ending = try await runPendingCalls(of: run, in: turn, state: &state) {
                try turn.complete(turnTotals)
                return ending
            }
            try turn.complete(turnTotals)
            do {
                try state.detector.endTurn()
            } catch {
                return try stalled(error, run: run)
            }
        }
    }

    /// Runs the pending calls in order, each after a check of the limits; returns an ending when a limit or a
    /// repeat stopped them (the calls left are then stored as not run).
    private func runPendingCalls(of run: Run, in turn: Span, state: inout State) async throws -> RunEnding? {
        while let call = state.transcript.pendingCalls.first {
            if let limit = try limitReached(run, state: state) {
                try storeUnrun(state.transcript.pendingCalls, because: "the run reached its limit (\(limit.limit.variable))", run: run)
                return .limitReached(limit)
            }
            reportToolCallStarting(run, state: state)
            let result = try await registry.call(
                call.name, arguments: call.arguments, callID: call.id, recordingIn: store, parent: turn.id, run: run.span.runID,
                chat: run.chatID)
            reportStepDone()
            let content = registry.policy.secretMasker.maskKnownValues(result.envelope.json)
            try conversation.append(
                StoredMessage(
                    id: 0, chatID: run.chatID, role: "tool", content: content, toolCallID: call.id, toolName: call.name,
                    runID: run.span.runID, ts: InboxStore.now()),
                inboxID: run.inboxID)
            state.transcript.append(resultOf: call.id, content: content)
            failpoint.check(.afterToolResultStored, message: run.text)
            try Task.checkCancellation()
            let envelope = result.envelope
            // The result as a repeat would give it: everything but the duration.
            let outcome = "\(envelope.ok)|\(envelope.exitCode ?? -1)|\(envelope.error ?? "")|\(envelope.stdout)|\(envelope.stderr)"
            do {
                try state.detector.record(tool: call.name, arguments: call.arguments, result: outcome)
            } catch {
                try storeUnrun(state.transcript.pendingCalls, because: "the run was stopped for making no progress", run: run)
                return try stalled(error, run: run)
            }
        }
        return nil
    }

    /// The limit reached before the next step, recorded as `control.limit_reached`; `nil` when the run may go on.
    private func limitReached(_ run: Run, state: State) throws(EventsError) -> LimitReached? {
        guard let limit = state.budget.reached(elapsed: .now - run.startedAt) else { return nil }
        try run.span.event(EventKind.controlLimitReached, level: .warn, payload: limit.payload)
        return limit
    }

    private func stalled(_ stalled: ProgressDetector.Stalled, run: Run) throws(EventsError) -> RunEnding {
        try run.span.event(
            EventKind.progressStalled, level: .warn, payload: ["k": .int(Int64(stalled.k)), "signature": .string(stalled.signature)])
        return .stalled(stalled)
    }

    /// Stores a "not run" result for each call, so that the history keeps every call with a result.
    private func storeUnrun(_ calls: [ToolCall], because reason: String, run: Run) throws(EventsError) {
        guard !calls.isEmpty else { return }
        let content = ToolEnvelope.failure("not run: \(reason)", exitCode: nil).json
        try store.database.write { connection throws(EventsError) in
            for call in calls {
                try conversation.append(
                    StoredMessage(
                        id: 0, chatID: run.chatID, role: "tool", content: content, toolCallID: call.id, toolName: call.name,
                        runID: run.span.runID, ts: InboxStore.now()),
                    inboxID: run.inboxID, in: connection)
            }
        }
    }

    /// Says once per run that the cost limit cannot be enforced when a turn's cost is unknown.
    private func warnOnceIfCostUnknown(_ run: Run, response: CompletionResponse, cost: Double?, state: inout State)
        throws(EventsError)
    {
        guard cost == nil, !state.costWarned else { return }
        state.costWarned = true
        let why =
            prices.price(of: response.model) == nil
            ? "the price of the model \(response.model) is unknown" : "the provider reported no token usage"
        try run.span.event(
            EventKind.controlLimitUnenforceable, level: .warn,
            payload: ["limit": .string(LimitReached.Limit.cost.rawValue), "reason": .string(why)])
    }

    /// The payload of `model.completed`.
    static func completionPayload(_ response: CompletionResponse, cost: Double?) -> JSONObject {
        [
            "model": .string(response.model), "input_tokens": JSONValue(response.inputTokens),
            "output_tokens": JSONValue(response.outputTokens), "cached_tokens": JSONValue(response.cachedTokens),
            "latency_ms": .int(response.latency.wholeMilliseconds), "finish_reason": .string(response.finishReason.rawValue),
            "tool_calls": .int(Int64(response.toolCalls.count)), "cost_usd": JSONValue(cost),
            "streamed": .bool(response.streamed), "first_token_ms": JSONValue(response.firstTokenLatency?.wholeMilliseconds),
        ]
    }
}
