import Events
import ModelAdapter
import ProcessControl
import Synchronization
import Telegram

/// Shows one reply in a Telegram draft (`sendMessageDraft`) while the model writes it, in a private chat.
///
/// The agent loop tells it when a turn starts, hands it the deltas of the streamed model call (`onDelta`) and
/// tells it how the turn ended. A sender beside the run sends the draft: one `draft_id` for the whole reply
/// (the run's id), at most one draft per `interval` in the chat (counted from the end of the previous one, so
/// Telegram never sees two closer than that), and only when the text changed (a turn's text only when it grew). The
/// text is a plain-text preview of the HTML answer, cut to 4096 on a word boundary (`DraftText`). A turn that ends
/// in tool calls shows one status line of what runs (`ToolCallStatus`) instead of its text; the next turn's text
/// replaces it.
///
/// When the body of `whileRunning` returns, no draft is sent any more: the one in flight is awaited (at most
/// `flushTimeout`), so the final message, sent afterwards through the outbox, is never followed by a draft.
/// A refusal (an old Bot API server, a chat that does not allow drafts) turns drafts off for the chat until the
/// worker restarts (`DraftChats`), with one `telegram.error`; a 429 pauses them for `retry_after`; other failures
/// skip that draft. The user sees nothing wrong either way: the final message comes as always.
///
/// Events: `reply.drafted {turn, drafts, first_draft_ms, failed, status_line}` in each turn that streamed, at its
/// end (a child of the turn): `drafts` counts the drafts sent while the turn's answer streamed, `first_draft_ms`
/// the time from the start of the turn's model call to the first of them (null when none).
public final class DraftStreamer: Sendable {
    public struct Configuration: Sendable {
        /// The least time between the end of one draft and the start of the next in a chat.
        public var interval: Duration
        /// How long the end of the run waits for a draft in flight.
        public var flushTimeout: Duration

        public init(interval: Duration = .milliseconds(250), flushTimeout: Duration = .seconds(2)) {
            self.interval = interval
            self.flushTimeout = flushTimeout
        }
    }

    /// What the streamer knows of the reply, and the choice of the next draft.
    struct State {
        var turn = 0
        var turnStartedAt: ContinuousClock.Instant?
        /// The answer of this turn so far.
        var text = ""
        /// The tool calls this turn announced while streaming, then the status line once it ended in calls.
        var toolNames: [String] = []
        var statusLine: String?
        /// The status line of the turn before, shown until this turn has something of its own.
        var previousStatusLine: String?
        /// The text of the last draft sent.
        var lastSent: String?
        /// The length (UTF-16) of the last draft of this turn's text: a text draft is sent only when it is longer.
        var turnTextSent = 0
        var stopped = false
        var turnDrafts = 0
        var turnFirstDraft: Duration?
        var turnFailed = 0
        /// `reply.drafted` of the turn, taken when its answer ended.
        var record: JSONObject = [:]
        var totalDrafts = 0

        /// A turn's model call starts at `instant`.
        mutating func startTurn(_ n: Int, at instant: ContinuousClock.Instant) {
            turn = n
            turnStartedAt = instant
            text = ""
            toolNames = []
            previousStatusLine = statusLine ?? previousStatusLine
            statusLine = nil
            turnTextSent = 0
            turnDrafts = 0
            turnFirstDraft = nil
            turnFailed = 0
        }

        /// The draft to send at `instant`, counted as sent; `nil` when there is nothing new (or the sending
        /// stopped). The status line of the calls comes first, then the calls announced so far, then the turn's
        /// text, which only grows: a preview no longer than the last one (the cut at 4096 moving back to a word
        /// boundary) waits for more. With nothing of its own yet, a turn keeps the status line of the one before.
        mutating func take(at instant: ContinuousClock.Instant) -> String? {
            guard !stopped else { return nil }
            let wanted: String
            var isText = false
            if let statusLine {
                wanted = statusLine
            } else if !toolNames.isEmpty {
                wanted = ToolCallStatus.line(forNames: toolNames)
            } else if text.contains(where: { !$0.isWhitespace }) {
                wanted = DraftText.preview(of: text)
                isText = true
                guard wanted.utf16.count > turnTextSent else { return nil }
            } else {
                wanted = previousStatusLine ?? ""
            }
            guard wanted != lastSent, wanted.contains(where: { !$0.isWhitespace }) else { return nil }
            if isText { turnTextSent = wanted.utf16.count }
            lastSent = wanted
            turnDrafts += 1
            totalDrafts += 1
            if turnFirstDraft == nil, let turnStartedAt { turnFirstDraft = instant - turnStartedAt }
            return wanted
        }
    }

    public let chatID: Int64
    public let draftID: Int64
    public let configuration: Configuration
    private let telegram: any TelegramAPI
    private let chats: DraftChats
    private let run: Span
    private let state = Mutex(State())
    private let bell = Doorbell()
    /// Rung once, when the run ends: it cuts short the wait for the pace of drafts, so the final message never waits
    /// for it.
    private let stopBell = Doorbell()

    /// - Parameters:
    ///   - draftID: one per reply, non-zero (the run's id).
    ///   - run: the run's span, under which a refusal is recorded.
    public init(
        telegram: any TelegramAPI, chats: DraftChats, chatID: Int64, draftID: Int64, run: Span,
        configuration: Configuration = Configuration()
    ) {
        self.telegram = telegram
        self.chats = chats
        self.chatID = chatID
        self.draftID = draftID
        self.run = run
        self.configuration = configuration
    }

    /// Runs `body` (the run's turns) with the sender beside it; no draft is sent after it returns or throws.
    public func whileRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.sendDrafts() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            stop()
            group.addTask { try? await Task.sleep(for: self.configuration.flushTimeout) }
            _ = try? await group.next()
            group.cancelAll()
            return try result.get()
        }
    }

    /// How many drafts were sent in all.
    public var draftsSent: Int { state.withLock { $0.totalDrafts } }

    // MARK: What the loop tells

    /// A turn's model call starts.
    public func turnStarted(_ n: Int) {
        state.withLock { $0.startTurn(n, at: .now) }
    }

    /// Takes one piece of the streamed answer; returns at once.
    public var onDelta: @Sendable (CompletionDelta) -> Void {
        { [self] delta in
            state.withLock { state in
                switch delta {
                case .text(let piece): state.text += piece
                case .toolCall(_, let name): state.toolNames.append(name)
                }
            }
            bell.ring()
        }
    }

    /// The turn's answer is complete: when it asks for tool calls, the draft shows what runs.
    public func turnEnded(with response: CompletionResponse) {
        state.withLock { state in
            if !response.toolCalls.isEmpty { state.statusLine = ToolCallStatus.line(for: response.toolCalls) }
            state.record = [
                "turn": .int(Int64(state.turn)), "drafts": .int(Int64(state.turnDrafts)),
                "first_draft_ms": JSONValue(state.turnFirstDraft?.wholeMilliseconds), "failed": .int(Int64(state.turnFailed)),
                "status_line": .bool(state.statusLine != nil),
            ]
        }
        if !response.toolCalls.isEmpty { bell.ring() }
    }

    /// Records `reply.drafted` under `turn` when its answer was streamed: the drafts sent while it streamed.
    public func recordDrafted(in turn: Span, streamed: Bool) {
        guard streamed else { return }
        _ = try? turn.event(EventKind.replyDrafted, payload: state.withLock { $0.record })
    }

    // MARK: Sending

    /// Ends the sending: the draft in flight may finish, no other starts.
    private func stop() {
        state.withLock { $0.stopped = true }
        bell.ring()
        stopBell.ring()
    }

    /// The sender: waits for a change, keeps the pace, sends the newest text.
    private func sendDrafts() async {
        while !Task.isCancelled {
            guard chats.allowsDrafts(in: chatID), !state.withLock({ $0.stopped }) else { return }
            if let next = chats.nextDraftAllowed(in: chatID, interval: configuration.interval), next > .now {
                await stopBell.wait(upTo: next - .now)
                continue
            }
            guard let draft = takeDraft() else {
                if state.withLock({ $0.stopped }) { return }
                await bell.wait(upTo: .seconds(1))
                continue
            }
            do throws(TelegramError) {
                try await telegram.sendMessageDraft(chatID: chatID, draftID: draftID, text: draft, parseMode: nil)
                chats.draftEnded(in: chatID, at: .now)
            } catch {
                chats.draftEnded(in: chatID, at: .now)
                if error.code == .cancelled { return }
                handle(error)
            }
        }
    }

    /// The draft to send now, counted as sent (`State.take`).
    private func takeDraft() -> String? {
        state.withLock { $0.take(at: .now) }
    }

    private func handle(_ error: TelegramError) {
        switch error.code {
        case .tooManyRequests:
            chats.pause(in: chatID, until: .now + .seconds(error.retryAfter ?? 1))
            state.withLock { $0.turnFailed += 1 }
        case .transport, .timeout, .serverError, .malformedResponse, .conflict:
            state.withLock { $0.turnFailed += 1 }
        default:
            // Refused for good (400, 403, 404...): an old Bot API server, or a chat that takes no drafts.
            state.withLock { $0.turnFailed += 1 }
            guard chats.refuse(in: chatID) else { return }
            _ = try? run.event(
                EventKind.telegramError, level: .warn,
                payload: error.eventPayload.merging(["drafts_off": true, "chat_id": .int(chatID)]) { _, new in new })
        }
    }
}
