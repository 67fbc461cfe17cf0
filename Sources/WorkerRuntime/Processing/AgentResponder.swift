import Context
import Control
import Events
import Foundation
import ModelAdapter
import ProcessControl
import Settings
import Tools

/// Answers one message with the agent: the chat's recent history, then the turns of `AgentLoop` (model calls and
/// tool calls) until an answer, a limit, no progress, `/stop` or an error ends the run; then one reply.
///
/// Records the run: `agent.started {chat_id, update_id, attempt}` -> `context.assembled`, the turns, and
/// `agent.completed {turns, input_tokens, output_tokens, cost_usd, usage_complete}` | `agent.failed {reason}`, the
/// closing event committed with the reply. A run interrupted by a crash is resumed from what its earlier attempts
/// stored (`RunTranscript`). Whatever ends the run, the user gets a short reply saying why. In a private chat with
/// `AGENT_STREAM=draft` the turns stream into a Telegram draft while they run (`DraftStreamer`); the final reply
/// is sent as always, after the last draft.
public struct AgentResponder: Sendable {
    public let context: WorkerContext
    public let caller: ModelCaller<ContinuousClock>
    public let registry: ToolRegistry
    public let prices: PriceTable
    public let assembler: ContextAssembler
    public let compressor: any ContextCompressor
    public let typing: TypingIndicator
    public let chatStops: ChatStops
    /// Which chats take drafts, shared by every run of the worker.
    public let draftChats: DraftChats
    let replies: ReplyWriter

    public init(
        context: WorkerContext, caller: ModelCaller<ContinuousClock>, registry: ToolRegistry, prices: PriceTable,
        compressor: any ContextCompressor, chatStops: ChatStops, draftChats: DraftChats = DraftChats()
    ) {
        self.draftChats = draftChats
        self.context = context
        self.caller = caller
        self.registry = registry
        self.prices = prices
        self.assembler = ContextAssembler(home: context.settings.paths.home)
        self.compressor = compressor
        self.typing = TypingIndicator(telegram: context.telegram, delay: context.settings.typingDelay)
        self.chatStops = chatStops
        self.replies = ReplyWriter(context: context)
    }

    /// Runs the agent on `text` from the inbox row; `replyTo` is the user's message when the answer should quote it;
    /// `isPrivateChat` allows drafts.
    public func respond(
        to text: String, row: InboxRow, chatID: Int64, attempt: Int, sentAt: Int64, replyTo: Int64?, isPrivateChat: Bool = false
    ) async throws {
        let startedAt = ContinuousClock.now
        let limits = context.settings.limits
        let run = try context.store.startRun(
            parent: context.process.id, chat: chatID,
            payload: ["chat_id": .int(chatID), "update_id": .int(row.updateID), "attempt": .int(Int64(attempt))])
        let conversation = context.conversation
        let userMessageID = try conversation.recordUserMessage(chatID: chatID, text: text, inboxID: row.id, ts: sentAt)
        let history = try conversation.history(chatID: chatID, before: userMessageID, limit: context.settings.historyLimit)
        let assembled = assembler.assemble(history: compressor.compress(history), newMessage: text)
        let transcript = RunTranscript.resumed(from: try conversation.messagesOfEarlierAttempts(inboxID: row.id, after: userMessageID))
        try run.event(
            EventKind.contextAssembled,
            payload: [
                "messages": .int(Int64(assembled.messages.count)), "chars": .int(Int64(assembled.characters)),
                "est_tokens": .int(Int64(assembled.estimatedTokens)), "resumed_messages": .int(Int64(transcript.messages.count)),
            ])
        let state = RunStateBox(
            AgentLoop.State(
                transcript: transcript,
                budget: RunBudget(limits: limits, stepsAlreadyTaken: transcript.stepsTaken, spentToday: try spentToday(chatID: chatID)),
                detector: ProgressDetector(k: limits.noProgressK)))
        let loop = AgentLoop(
            store: context.store, conversation: conversation, caller: caller, registry: registry, prices: prices,
            model: context.settings.model, failpoint: context.failpoint, trace: context.trace)
        let drafts =
            context.settings.stream == .draft && isPrivateChat && draftChats.allowsDrafts(in: chatID)
            ? DraftStreamer(
                telegram: context.telegram, chats: draftChats, chatID: chatID, draftID: run.id, run: run,
                configuration: DraftStreamer.Configuration(interval: context.settings.draftInterval)) : nil
        let loopRun = AgentLoop.Run(
            span: run, chatID: chatID, inboxID: row.id, context: assembled.messages, text: text, startedAt: startedAt, drafts: drafts)
        let ending: RunEnding
        do {
            ending = try await chatStops.run(chatID: chatID) { [typing] in
                try await Deadline.run(after: limits.maxWall) {
                    try await typing.whileRunning(chatID: chatID) {
                        let turns: @Sendable () async throws -> RunEnding = {
                            var current = state.value
                            defer { state.value = current }
                            return try await loop.run(loopRun, state: &current)
                        }
                        // No draft goes out once the turns are over: the reply follows them.
                        guard let drafts else { return try await turns() }
                        return try await drafts.whileRunning(turns)
                    }
                }
            }
        } catch let failure as EventsError {
            throw failure
        } catch  where Task.isCancelled {
            throw CancellationError()  // The process is going away: the update stays resumable.
        } catch let passed as Deadline.Passed {
            let limit = LimitReached(.wall, limit: .int(passed.after.components.seconds), used: .int((.now - startedAt).components.seconds))
            try run.event(EventKind.controlLimitReached, level: .warn, payload: limit.payload)
            try close(
                run, reply: limit.message, failure: ["reason": "limit_reached", "limit": .string(limit.limit.rawValue)],
                state: state.value, row: row, chatID: chatID, replyTo: replyTo)
            return
        } catch {
            let (reason, message) = Self.explain(error)
            try close(
                run, reply: message, failure: ["reason": .string(reason)], state: state.value, row: row, chatID: chatID, replyTo: replyTo)
            return
        }
        switch ending {
        case .answered(let answer):
            try replies.commit(
                ReplyWriter.Answer(
                    text: answer ?? "(The model gave no text answer.)", replyToMessageID: replyTo, isAssistantMessage: answer != nil),
                chatID: chatID, inboxID: row.id, runID: run.id,
                closing: NewEvent(
                    EventKind.agentCompleted, parent: run.id, run: run.id, chat: chatID, payload: Self.totals(state.value)))
            context.failpoint.check(.afterReplyStored)
        case .limitReached(let limit):
            try close(
                run, reply: limit.message, failure: ["reason": "limit_reached", "limit": .string(limit.limit.rawValue)],
                state: state.value, row: row, chatID: chatID, replyTo: replyTo)
        case .stalled(let stalled):
            try close(
                run, reply: stalled.message, failure: ["reason": "stalled"], state: state.value, row: row, chatID: chatID, replyTo: replyTo)
        }
    }

    /// Ends a run that gave no answer: the explaining reply and `agent.failed` with the run's totals, in one
    /// transaction.
    private func close(
        _ run: Span, reply: String, failure: JSONObject, state: AgentLoop.State, row: InboxRow, chatID: Int64, replyTo: Int64?
    ) throws(EventsError) {
        try replies.commit(
            ReplyWriter.Answer(text: reply, kind: "reply", parseMode: nil, replyToMessageID: replyTo),
            chatID: chatID, inboxID: row.id, runID: run.id,
            closing: NewEvent(
                EventKind.agentFailed, parent: run.id, run: run.id, chat: chatID, level: .error,
                payload: Self.totals(state).merging(failure) { _, reason in reason }))
    }

    /// Turns, tokens and cost of the run, for its closing event: sums of the known turns, `null` when none was known.
    static func totals(_ state: AgentLoop.State) -> JSONObject {
        let budget = state.budget
        return [
            "turns": .int(Int64(state.turns)),
            "input_tokens": budget.usageKnown ? .int(Int64(budget.inputTokens)) : .null,
            "output_tokens": budget.usageKnown ? .int(Int64(budget.outputTokens)) : .null,
            "cost_usd": JSONValue(budget.cost), "usage_complete": .bool(budget.usageComplete),
        ]
    }

    /// Today's model cost so far, the larger of this chat's and everyone's, when a daily limit is set.
    func spentToday(chatID: Int64) throws(EventsError) -> Double? {
        guard context.settings.limits.dailyCostUSD != nil else { return nil }
        let ledger = UsageLedger(database: context.store.database)
        let today = UsageLedger.startOfToday()
        return max(try ledger.totals(since: today, chatID: chatID).cost, try ledger.totals(since: today, chatID: nil).cost)
    }

    /// A short reason for the record and a short message for the user.
    static func explain(_ error: any Error) -> (reason: String, message: String) {
        if error is ChatStops.Stopped { return ("aborted", "Stopped.") }
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
            "provider_code": JSONValue(error.providerCode), "received_text": JSONValue(error.receivedText),
        ]
    }
}
