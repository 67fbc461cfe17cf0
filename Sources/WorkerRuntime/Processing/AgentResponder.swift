import Context
import Control
import Events
import Foundation
import ModelAdapter
import ProcessControl
import Settings

/// Answers one message with the model: the chat's recent history, one model call (with retries), one reply.
///
/// Records the run: `agent.started` -> `context.assembled`, `turn.started` -> `model.completed` | `model.failed`,
/// `turn.completed` | `turn.failed` -> `agent.completed` | `agent.failed`, the last one committed with the reply.
/// Whatever ends the run, the user gets a short reply saying why.
public struct AgentResponder: Sendable {
    public let context: WorkerContext
    public let caller: ModelCaller<ContinuousClock>
    public let prices: PriceTable
    public let assembler: ContextAssembler
    public let compressor: any ContextCompressor
    public let typing: TypingIndicator
    public let chatStops: ChatStops
    let replies: ReplyWriter

    public init(
        context: WorkerContext, caller: ModelCaller<ContinuousClock>, prices: PriceTable, compressor: any ContextCompressor,
        chatStops: ChatStops
    ) {
        self.context = context
        self.caller = caller
        self.prices = prices
        self.assembler = ContextAssembler(home: context.settings.paths.home)
        self.compressor = compressor
        self.typing = TypingIndicator(telegram: context.telegram)
        self.chatStops = chatStops
        self.replies = ReplyWriter(context: context)
    }

    /// Runs the agent on `text` from the inbox row; `replyTo` is the user's message when the answer should quote it.
    public func respond(to text: String, row: InboxRow, chatID: Int64, attempt: Int, sentAt: Int64, replyTo: Int64?) async throws {
        let run = try context.store.startRun(
            parent: context.process.id, chat: chatID,
            payload: ["chat_id": .int(chatID), "update_id": .int(row.updateID), "attempt": .int(Int64(attempt))])
        let userMessageID = try context.conversation.recordUserMessage(chatID: chatID, text: text, inboxID: row.id, ts: sentAt)
        let history = try context.conversation.history(chatID: chatID, before: userMessageID, limit: context.settings.historyLimit)
        let assembled = assembler.assemble(history: compressor.compress(history), newMessage: text)
        try run.event(
            EventKind.contextAssembled,
            payload: [
                "messages": .int(Int64(assembled.messages.count)), "chars": .int(Int64(assembled.characters)),
                "est_tokens": .int(Int64(assembled.estimatedTokens)),
            ])
        let turn = try run.child("turn", payload: ["n": 1])
        let request = CompletionRequest(model: context.settings.model, messages: assembled.messages)
        context.failpoint.check(.beforeModelCall, message: text)
        let caller = self.caller
        let limits = context.settings.limits
        do {
            try checkDailyBudget(chatID: chatID, run: run)
            let response = try await chatStops.run(chatID: chatID) { [typing] in
                try await Deadline.run(after: limits.maxWall) {
                    try await typing.whileRunning(chatID: chatID) { try await caller.complete(request, parent: turn) }
                }
            }
            let cost = prices.cost(
                model: response.model, inputTokens: response.inputTokens, outputTokens: response.outputTokens,
                cachedTokens: response.cachedTokens)
            try turn.event(
                EventKind.modelCompleted,
                payload: [
                    "model": .string(response.model), "input_tokens": JSONValue(response.inputTokens),
                    "output_tokens": JSONValue(response.outputTokens), "cached_tokens": JSONValue(response.cachedTokens),
                    "latency_ms": .int(response.latency.wholeMilliseconds), "finish_reason": .string(response.finishReason.rawValue),
                    "cost_usd": JSONValue(cost),
                ])
            try turn.complete(["n": 1, "input_tokens": JSONValue(response.inputTokens), "output_tokens": JSONValue(response.outputTokens)])
            try recordRunLimits(tokens: (response.inputTokens ?? 0) + (response.outputTokens ?? 0), cost: cost ?? 0, run: run)
            let answer = response.text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
            try replies.commit(
                ReplyWriter.Answer(
                    text: answer ?? "(The model gave no text answer.)", replyToMessageID: replyTo, isAssistantMessage: answer != nil),
                chatID: chatID, inboxID: row.id, runID: run.id,
                closing: NewEvent(
                    EventKind.agentCompleted, parent: run.id, run: run.id, chat: chatID,
                    payload: [
                        "turns": 1, "input_tokens": JSONValue(response.inputTokens), "output_tokens": JSONValue(response.outputTokens),
                        "cost_usd": JSONValue(cost), "usage_complete": .bool(response.hasUsage),
                    ]))
            context.failpoint.check(.afterReplyStored)
        } catch let failure as EventsError {
            throw failure
        } catch  where Task.isCancelled {
            throw CancellationError()  // The process is going away: the update stays resumable.
        } catch {
            let (reason, message) = Self.explain(error)
            if let passed = error as? Deadline.Passed {
                _ = try? run.event(
                    EventKind.controlLimitReached, level: .warn,
                    payload: ["limit": "wall_s", "value": .int(passed.after.components.seconds)])
            }
            if !(error is ChatStops.Stopped || error is Deadline.Passed || error is DailyBudgetSpent) {
                _ = try? turn.event(EventKind.modelFailed, level: .error, payload: Self.failurePayload(error))
            }
            try turn.fail(["n": 1, "error": .string(reason)])
            try replies.commit(
                ReplyWriter.Answer(text: message, kind: "reply", parseMode: nil, replyToMessageID: replyTo),
                chatID: chatID, inboxID: row.id, runID: run.id,
                closing: NewEvent(
                    EventKind.agentFailed, parent: run.id, run: run.id, chat: chatID, level: .error,
                    payload: ["reason": .string(reason), "turns": 1]))
        }
    }

    /// Today's spending has reached `AGENT_DAILY_COST_USD`, in this chat or in all.
    struct DailyBudgetSpent: Error {
        let spent: Double
        let limit: Double
    }

    /// Refuses the run when today's cost, of this chat or in all, has reached the daily limit.
    func checkDailyBudget(chatID: Int64, run: Span) throws {
        guard let limit = context.settings.limits.dailyCostUSD else { return }
        let ledger = UsageLedger(database: context.store.database)
        let today = UsageLedger.startOfToday()
        let spent = max(try ledger.totals(since: today, chatID: chatID).cost, try ledger.totals(since: today, chatID: nil).cost)
        guard spent >= limit else { return }
        try run.event(EventKind.controlLimitReached, level: .warn, payload: ["limit": "daily_cost_usd", "value": .double(spent)])
        throw DailyBudgetSpent(spent: spent, limit: limit)
    }

    /// Records the per-run limits a finished step reached (tokens, cost); the next step, if any, would not run.
    func recordRunLimits(tokens: Int, cost: Double, run: Span) throws {
        let limits = context.settings.limits
        if tokens >= limits.maxTokens {
            try run.event(EventKind.controlLimitReached, level: .warn, payload: ["limit": "max_tokens", "value": .int(Int64(tokens))])
        }
        if cost >= limits.maxCostUSD {
            try run.event(EventKind.controlLimitReached, level: .warn, payload: ["limit": "max_cost_usd", "value": .double(cost)])
        }
    }

    /// A short reason for the record and a short message for the user.
    static func explain(_ error: any Error) -> (reason: String, message: String) {
        if error is ChatStops.Stopped { return ("stopped", "Stopped.") }
        if let passed = error as? Deadline.Passed {
            return ("wall_limit", "⏱ Stopped: the answer took longer than \(passed.after.components.seconds) s (AGENT_MAX_WALL_S).")
        }
        if let spent = error as? DailyBudgetSpent {
            return (
                "daily_cost_limit",
                String(format: "💸 Today's budget of $%.2f for the model is spent ($%.4f). Try again tomorrow.", spent.limit, spent.spent)
            )
        }
        if let error = error as? ControlError, error.code == .circuitOpen {
            return (
                "circuit_open",
                "⚠️ The model service keeps failing the same way, so I paused calls to it for a minute. Please try again shortly."
            )
        }
        guard let error = error as? ModelError else {
            return ("error", "⚠️ Something went wrong while answering. Please try again.")
        }
        let status = error.status.map { " (HTTP \($0))" } ?? ""
        switch error.kind {
        case .retryable:
            return ("model_unavailable", "⚠️ The model service is not answering right now\(status). Please try again in a minute.")
        case .quota:
            return ("model_quota", "⚠️ The model account is out of credit (insufficient_quota). The owner needs to top it up.")
        case .contextLength:
            return ("context_length", "⚠️ This conversation is too long for the model. Send /new to start a fresh one.")
        case .authentication:
            return ("model_authentication", "⚠️ The model service refused the API key\(status). The owner needs to check OPENAI_API_KEY.")
        case .badRequest:
            return ("model_bad_request", "⚠️ The model service refused the request\(status): \(error.message.prefix(200))")
        case .other:
            return ("model_error", "⚠️ The model service gave an answer I cannot read. Please try again.")
        }
    }

    static func failurePayload(_ error: any Error) -> JSONObject {
        guard let error = error as? ModelError else { return ["error": .string("\(error)")] }
        return [
            "error": .string(error.message), "code": .string("\(error.code)"), "status": JSONValue(error.status),
            "provider_code": JSONValue(error.providerCode),
        ]
    }
}
