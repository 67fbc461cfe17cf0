import Events
import Foundation
import Logging
import ProcessControl
import ServiceLifecycle
import Synchronization
import Telegram

/// Sends the `outbox` (SPEC section 4, step 4): each chat's messages in order, chats side by side, within
/// Telegram's rate limits.
///
/// A row is marked `sending` before the call and `sent` after it (with the `reply.sent` event); rows left
/// `sending` by a dead process are sent again at start, and so is a row whose answer was lost after Telegram may
/// have carried out the call (a timeout, a connection lost after the request went out, a 200 that does not
/// decode: `telegram.error` with `delivery_unknown: true`). These are the two duplicate windows of docs/worker.md. HTML that Telegram cannot parse is sent again as plain
/// text; a 429 pauses all sending for its `retry_after`; other transient failures (409, 5xx, network) retry the
/// chat's lane with a backoff of 1 s doubling to 30 s, without limit, so no message is dropped; a refusal for good
/// (the user blocked the bot, the chat is gone) marks the row `failed`. On graceful shutdown it sends what is
/// queued before it stops.
public final class OutboxSender: Service {
    let context: WorkerContext
    let limiter: SendRateLimiter
    let maxLanes: Int
    /// Its progress: each row from the call to Telegram to its mark (the waits for a rate-limit slot or a backoff
    /// are not work in flight).
    let progress: ProgressClock.Component
    private let failures = Mutex<[Int64: Int]>([:])

    public init(context: WorkerContext, progress: ProgressClock.Component, maxLanes: Int = 32) {
        self.context = context
        self.progress = progress
        self.limiter = SendRateLimiter(
            perChatPerSecond: context.settings.sendPerChatPerSecond, totalPerSecond: context.settings.sendTotalPerSecond)
        self.maxLanes = maxLanes
    }

    private enum Completion: Sendable {
        case lane(Int64, allSent: Bool)
        case woke
    }

    public func run() async {
        do {
            let requeued = try context.outbox.requeueInterrupted()
            if requeued > 0 { context.logger.warning("sending again messages interrupted mid-send", metadata: ["count": "\(requeued)"]) }
        } catch {
            context.logger.error("cannot requeue interrupted messages", metadata: ["error": "\(error.message)"])
        }
        var busyLanes: Set<Int64> = []
        var drainFailed = false
        await withTaskGroup(of: Completion.self) { group in
            var waiting = false
            while true {
                // On graceful shutdown the sender goes on until the queue is empty (the updates in progress are done
                // by then: the dispatcher stops first), unless Telegram fails: what is left waits for the next start.
                let stopping = Task.isShuttingDownGracefully
                if stopping && drainFailed && busyLanes.isEmpty { break }
                var lanes: [Int64: [OutboxRow]] = [:]
                var order: [Int64] = []
                if !(stopping && drainFailed) {
                    for row in pendingRows() where !busyLanes.contains(row.chatID) {
                        if lanes[row.chatID] == nil { order.append(row.chatID) }
                        lanes[row.chatID, default: []].append(row)
                    }
                }
                if stopping && order.isEmpty && busyLanes.isEmpty { break }
                for chatID in order where busyLanes.count < maxLanes {
                    busyLanes.insert(chatID)
                    let rows = lanes[chatID]!
                    group.addTask {
                        .lane(chatID, allSent: await self.sendLane(rows))
                    }
                }
                if !waiting {
                    waiting = true
                    group.addTask {
                        await self.context.newMessages.wait(upTo: stopping ? .milliseconds(50) : .seconds(1))
                        return .woke
                    }
                }
                switch await group.next() {
                case .lane(let chatID, let allSent):
                    busyLanes.remove(chatID)
                    if !allSent && Task.isShuttingDownGracefully { drainFailed = true }
                case .woke: waiting = false
                case nil: break
                }
            }
            group.cancelAll()
        }
    }

    /// Sends one chat's rows in order; stops at the first that must wait, after waiting its backoff. Returns
    /// whether every row was done with.
    private func sendLane(_ rows: [OutboxRow]) async -> Bool {
        for row in rows {
            guard let retryIn = await send(row) else {
                failures.withLock { _ = $0.removeValue(forKey: row.chatID) }
                continue
            }
            await sleepUnlessShuttingDown(for: retryIn)
            return false
        }
        return true
    }

    /// Sends one row; returns `nil` when it is done (sent or given up), else how long the lane waits.
    private func send(_ row: OutboxRow) async -> Duration? {
        let slot = await limiter.reserve(chatID: row.chatID)
        try? await Task.sleep(until: slot)
        return await progress.withWork { _ in await attempt(row) }
    }

    /// One attempt at `row`: mark it `sending`, call Telegram, mark the outcome.
    private func attempt(_ row: OutboxRow) async -> Duration? {
        do {
            try context.outbox.markSending(row.id)
            let message = try await deliver(row)
            context.failpoint.check(.afterSendBeforeMark)
            try context.outbox.markSent(row, messageID: Int64(message.messageID), parent: context.process.id)
            context.trace.mark(.sent, row: row.inboxID)
            context.failpoint.check(.afterReplyMarked)
            return nil
        } catch let error as TelegramError {
            var payload = error.eventPayload
            payload["outbox_id"] = .int(row.id)
            // The second duplicate window (docs/worker.md): Telegram may have shown the message although no answer
            // says so; it is sent again, and the record says that the user may see it twice.
            if error.mayHaveBeenCarriedOut { payload["delivery_unknown"] = true }
            _ = try? context.store.append(
                EventKind.telegramError, parent: row.runID ?? context.process.id, run: row.runID, chat: row.chatID, level: .warn,
                payload: payload)
            if error.code == .tooManyRequests {
                let wait = Duration.seconds(error.retryAfter ?? 1)
                await limiter.pause(for: wait)
                try? context.outbox.markPending(row.id, error: error.message)
                return wait
            }
            if error.isTransient || error.code == .cancelled {
                try? context.outbox.markPending(row.id, error: error.message)
                return backoff(chatID: row.chatID)
            }
            context.logger.error("message refused for good", metadata: ["outbox_id": "\(row.id)", "error": "\(error.message)"])
            try? context.outbox.markFailed(row.id, error: error.message)
            return nil
        } catch {
            context.logger.error("cannot record the sending of a message", metadata: ["outbox_id": "\(row.id)", "error": "\(error)"])
            return backoff(chatID: row.chatID)
        }
    }

    /// `sendMessage`, and again as plain text when Telegram cannot parse the HTML.
    private func deliver(_ row: OutboxRow) async throws(TelegramError) -> Message {
        let markup = row.replyMarkup.flatMap { try? JSONDecoder().decode(InlineKeyboardMarkup.self, from: Data($0.utf8)) }
        let replyTo = row.replyToMessageID.map { Int($0) }
        do {
            return try await context.telegram.sendMessage(
                chatID: row.chatID, text: row.text, parseMode: row.parseMode.flatMap(ParseMode.init(rawValue:)),
                replyToMessageID: replyTo, replyMarkup: markup, disableLinkPreview: false)
        } catch  where error.isCantParseEntities && row.parseMode != nil {
            return try await context.telegram.sendMessage(
                chatID: row.chatID, text: row.text, parseMode: nil, replyToMessageID: replyTo, replyMarkup: markup,
                disableLinkPreview: false)
        }
    }

    private func pendingRows() -> [OutboxRow] {
        do {
            return try context.outbox.pending()
        } catch {
            context.logger.error("cannot read the outbox", metadata: ["error": "\(error.message)"])
            return []
        }
    }

    /// 1 s, doubling with each failure in a row of the chat's lane, up to 30 s.
    private func backoff(chatID: Int64) -> Duration {
        let count = failures.withLock { failures -> Int in
            failures[chatID, default: 0] += 1
            return failures[chatID]!
        }
        return min(.seconds(1) * (1 << min(count - 1, 5)), .seconds(30))
    }
}
