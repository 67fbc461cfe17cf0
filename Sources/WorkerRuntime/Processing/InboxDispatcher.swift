import Events
import Logging
import ProcessControl
import ServiceLifecycle
import Telegram

/// Takes stored updates to their handler: chats are served concurrently (at most `concurrency` at once), each chat
/// strictly in order, one update at a time.
///
/// It reads the unfinished rows of `inbox` at start (rows a dead process left in `processing` included) and again
/// whenever the poller rings or a second passes. A `/stop` is seen as soon as it is stored and stops its chat's
/// run at once, ahead of its place in the queue. On graceful shutdown it starts nothing new and lets the updates
/// in progress finish; one cut short by a kill stays `processing` and is resumed by the next worker.
public struct InboxDispatcher: Service {
    let context: WorkerContext
    let handler: MessageHandler
    let chatStops: ChatStops
    let concurrency: Int
    /// Its progress: each update from its start to its end; an agent run reports its own steps
    /// (`ProgressClock.Work.current`).
    let progress: ProgressClock.Component

    public init(context: WorkerContext, handler: MessageHandler, chatStops: ChatStops, progress: ProgressClock.Component) {
        self.context = context
        self.progress = progress
        self.handler = handler
        self.chatStops = chatStops
        self.concurrency = context.settings.chatConcurrency
    }

    private enum Completion: Sendable {
        case processed(lane: Int64, rowID: Int64)
        case woke
    }

    public func run() async {
        var queues: [Int64: [(row: InboxRow, stoppedRun: Bool)]] = [:]
        var known: Set<Int64> = []
        var busyLanes: Set<Int64> = []
        await withTaskGroup(of: Completion.self) { group in
            var waiting = false
            while true {
                let stopping = Task.isShuttingDownGracefully
                if !stopping {
                    for row in unfinishedRows() where !known.contains(row.id) {
                        known.insert(row.id)
                        let lane = Self.lane(of: row)
                        let stopped = isStopCommand(row) && chatStops.stop(chatID: lane)
                        queues[lane, default: []].append((row, stopped))
                    }
                    let ready = queues.filter { !busyLanes.contains($0.key) && !$0.value.isEmpty }
                        .sorted { $0.value[0].row.id < $1.value[0].row.id }
                    for (lane, _) in ready where busyLanes.count < concurrency {
                        let next = queues[lane]!.removeFirst()
                        busyLanes.insert(lane)
                        group.addTask { await process(next.row, stoppedRun: next.stoppedRun, lane: lane) }
                    }
                } else if busyLanes.isEmpty {
                    break
                }
                if !waiting {
                    waiting = true
                    group.addTask {
                        await context.newUpdates.wait(upTo: .seconds(1))
                        return .woke
                    }
                }
                switch await group.next() {
                case .processed(let lane, let rowID):
                    busyLanes.remove(lane)
                    known.remove(rowID)
                case .woke:
                    waiting = false
                case nil:
                    break
                }
            }
            group.cancelAll()
        }
    }

    private func process(_ row: InboxRow, stoppedRun: Bool, lane: Int64) async -> Completion {
        do {
            try await progress.withWork { _ in try await handler.process(row, stoppedRun: stoppedRun) }
        } catch {
            context.logger.error(
                "update not processed; it will be tried again", metadata: ["update_id": "\(row.updateID)", "error": "\(error)"])
            await sleepUnlessShuttingDown(for: .seconds(1))
        }
        return .processed(lane: lane, rowID: row.id)
    }

    private func unfinishedRows() -> [InboxRow] {
        do {
            return try context.inbox.unfinished()
        } catch {
            context.logger.error("cannot read the inbox", metadata: ["error": "\(error.message)"])
            return []
        }
    }

    /// Updates of one chat share a lane; an update without a chat has a lane of its own.
    static func lane(of row: InboxRow) -> Int64 {
        row.chatID ?? row.userID ?? -row.updateID
    }

    /// Whether the row is a `/stop` for this bot from an allowed user.
    func isStopCommand(_ row: InboxRow) -> Bool {
        // Most rows are not: the raw JSON is only decoded when it holds the word (a slash may come escaped, `\/stop`).
        guard row.raw.contains("stop") else { return false }
        guard let update = Update(storedJSON: row.raw), let message = update.message, let sender = message.from,
            context.settings.allowedUserIDs.contains(sender.id), let text = Addressing.text(of: message, bot: context.bot)
        else { return false }
        return Command(text: text) == .stop
    }
}

extension InboxDispatcher: CustomStringConvertible, CustomReflectable {
    /// The name only: the settings inside hold secrets, and service groups log their services.
    public var description: String { "InboxDispatcher" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
