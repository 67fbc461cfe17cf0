import Events
import Logging
import ProcessControl
import ServiceLifecycle
import Telegram

/// The only `getUpdates` loop of the system (SPEC section 4, step 1).
///
/// `deleteWebhook` first, then long polls from `telegram_offset`. Each page is stored in `inbox` in one
/// transaction before the next `getUpdates` confirms it (the offset is derived from the stored rows, so an update
/// is never confirmed before it is stored). A failed poll (409, 429, 5xx, a malformed body, a network error) is
/// recorded as `telegram.error` and waited out, 1 s doubling to 30 s (or `retry_after`); the loop never exits for it.
public struct UpdatePoller: Service {
    let telegram: any TelegramAPI
    let inbox: InboxStore
    let process: Span
    let pollTimeout: Int
    let newWork: Doorbell
    /// Its progress: one round (a poll and the storing of its page, or the wait after a failure) at a time.
    let progress: ProgressClock.Component
    let failpoint: Failpoint
    let trace: StageTrace
    let logger: Logger

    public init(
        telegram: any TelegramAPI, inbox: InboxStore, process: Span, pollTimeout: Int, newWork: Doorbell,
        progress: ProgressClock.Component, failpoint: Failpoint, trace: StageTrace = StageTrace(enabled: false), logger: Logger
    ) {
        self.telegram = telegram
        self.inbox = inbox
        self.process = process
        self.pollTimeout = pollTimeout
        self.newWork = newWork
        self.progress = progress
        self.failpoint = failpoint
        self.trace = trace
        self.logger = logger
    }

    public func run() async throws {
        var backoff = PollBackoff()
        while !Task.isShuttingDownGracefully {
            do {
                try await telegram.deleteWebhook(dropPendingUpdates: false)
                break
            } catch {
                await wait(after: error, backoff: &backoff)
            }
        }
        backoff.reset()
        // The poller is always at work: each round must end within its allowance (the poll's timeout and grace).
        await progress.withWork { work in
            while !Task.isShuttingDownGracefully {
                do {
                    try await pollOnce()
                    backoff.reset()
                } catch let error as EventsError {
                    logger.error("cannot store updates; they stay unconfirmed", metadata: ["error": "\(error.message)"])
                    await sleepUnlessShuttingDown(for: backoff.failure())
                } catch let error as TelegramError where error.code == .cancelled {
                    break
                } catch {
                    await wait(after: error, backoff: &backoff)
                }
                work.tick()
            }
        }
    }

    /// One `getUpdates` and the storing of its page.
    func pollOnce() async throws {
        let offset = try DerivedState(database: inbox.store.database).telegramOffset(botID: inbox.botID)
        let telegram = self.telegram
        let timeout = pollTimeout
        let updates = try await cancelWhenGracefulShutdown {
            try await telegram.getUpdates(offset: offset, limit: 100, timeout: timeout, allowedUpdates: ["message", "callback_query"])
        }
        let incoming = updates.map { update in
            IncomingUpdate(
                updateID: update.updateID,
                chatID: update.message?.chat.id ?? update.callbackQuery?.message?.chat.id,
                userID: update.message?.from?.id ?? update.callbackQuery?.from.id,
                raw: update.rawJSON)
        }
        guard !incoming.isEmpty else { return }
        trace.mark(.polled, updates: incoming.map(\.updateID))
        try inbox.store(incoming, parent: process.id)
        trace.mark(.stored, updates: incoming.map(\.updateID))
        failpoint.check(.afterUpdateStored)
        newWork.ring()
    }

    private func wait(after error: any Error, backoff: inout PollBackoff) async {
        var delay = backoff.failure()
        if let error = error as? TelegramError {
            if let retryAfter = error.retryAfter { delay = max(delay, .seconds(retryAfter)) }
            logger.warning(
                "Telegram call failed", metadata: ["method": "\(error.method)", "error": "\(error.message)", "retry_in": "\(delay)"])
            var payload = error.eventPayload
            payload["delay_ms"] = .int(delay.wholeMilliseconds)
            _ = try? process.event(EventKind.telegramError, level: .warn, payload: payload)
        }
        await sleepUnlessShuttingDown(for: delay)
    }
}

extension UpdatePoller: CustomStringConvertible, CustomReflectable {
    /// The name only: the settings inside hold secrets, and service groups log their services.
    public var description: String { "UpdatePoller" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
