import Context
import Events
import Foundation
import Settings
import Telegram
import Tools

/// Answers the commands (SPEC section 4, step 5) from the database and the worker's own state.
public struct CommandHandler: Sendable {
    public let context: WorkerContext
    public let chatStops: ChatStops

    public init(context: WorkerContext, chatStops: ChatStops) {
        self.context = context
        self.chatStops = chatStops
    }

    /// The answer to `command` in `chatID`, after doing what it asks (`/new` starts a session).
    public func answer(_ command: Command, chatID: Int64, stoppedRun: Bool) throws(EventsError) -> String {
        switch command {
        case .start:
            return "Hello! I'm your agent. Write to me and I'll answer.\n\n" + help
        case .help:
            return help
        case .new:
            try context.conversation.startNewSession(chatID: chatID)
            return "Started a new conversation. Earlier messages are no longer part of it."
        case .status:
            return try status()
        case .usage:
            return try usage(chatID: chatID)
        case .stop:
            return stoppedRun ? "Stopped." : "Nothing is running in this chat."
        }
    }

    var ledger: UsageLedger { UsageLedger(database: context.store.database) }

    var help: String {
        "Commands:\n" + Command.allCases.map { "/\($0.rawValue) – \($0.summary)" }.joined(separator: "\n")
    }

    func status() throws(EventsError) -> String {
        let uptime = Int(Date().timeIntervalSince(context.startedAt))
        let today = try ledger.totals(since: UsageLedger.startOfToday(), chatID: nil)
        return """
            <b>Status</b>
            rev: <code>\(String((context.settings.rev ?? "unknown").prefix(12)))</code> (\(Self.escape(BuildInfo.version)))
            instance: \(context.settings.supervision?.instance.map(String.init) ?? "standalone")
            uptime: \(uptime / 3600)h \(uptime % 3600 / 60)m \(uptime % 60)s
            model: \(Self.escape(context.settings.model))
            tools: \(Self.escape(context.sandbox.summary))
            today: \(today.calls) calls, \(today.input) tokens in, \(today.output) out, \(Self.dollars(today.cost))
            """
    }

    func usage(chatID: Int64) throws(EventsError) -> String {
        let today = try ledger.totals(since: UsageLedger.startOfToday(), chatID: chatID)
        let month = try ledger.totals(since: UsageLedger.startOfToday() - 29 * 86_400_000, chatID: chatID)
        return """
            <b>Usage of this chat</b>
            today: \(today.calls) calls, \(today.input) tokens in, \(today.output) out, \(Self.dollars(today.cost))
            last 30 days: \(month.calls) calls, \(month.input) tokens in, \(month.output) out, \(Self.dollars(month.cost))
            """
    }

    /// Dollars with the precision small amounts need: `$0.000024`, `$0.0312`, `$1.25`.
    static func dollars(_ value: Double) -> String {
        String(format: value < 0.01 ? "$%.6f" : value < 1 ? "$%.4f" : "$%.2f", value)
    }

    /// Text made safe for Telegram's HTML parse mode.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
