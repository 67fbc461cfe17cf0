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

    var help: String {
        "Commands:\n" + Command.allCases.map { "/\($0.rawValue) – \($0.summary)" }.joined(separator: "\n")
    }

    func status() throws(EventsError) -> String {
        let uptime = Int(Date().timeIntervalSince(context.startedAt))
        let today = try totals(since: Self.startOfToday(), chatID: nil)
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
        let today = try totals(since: Self.startOfToday(), chatID: chatID)
        let month = try totals(since: Self.startOfToday() - 29 * 86_400_000, chatID: chatID)
        return """
            <b>Usage of this chat</b>
            today: \(today.calls) calls, \(today.input) tokens in, \(today.output) out, \(Self.dollars(today.cost))
            last 30 days: \(month.calls) calls, \(month.input) tokens in, \(month.output) out, \(Self.dollars(month.cost))
            """
    }

    struct Totals {
        var calls: Int64
        var input: Int64
        var output: Int64
        var cost: Double
    }

    func totals(since: Int64, chatID: Int64?) throws(EventsError) -> Totals {
        var bindings: [SQLValue] = [.text(EventKind.modelCompleted), .integer(since)]
        var chatClause = ""
        if let chatID {
            chatClause = "AND chat_id = ?"
            bindings.append(.integer(chatID))
        }
        let row = try context.store.database.query(
            """
            SELECT COUNT(*), COALESCE(SUM(json_extract(payload, '$.input_tokens')), 0),
                COALESCE(SUM(json_extract(payload, '$.output_tokens')), 0), COALESCE(SUM(json_extract(payload, '$.cost_usd')), 0.0)
            FROM events WHERE kind = ? AND ts >= ? AND json_valid(payload) \(chatClause)
            """,
            bindings
        ).first
        return Totals(
            calls: row?[0].int64 ?? 0, input: row?[1].int64 ?? 0, output: row?[2].int64 ?? 0, cost: row?[3].double ?? 0)
    }

    static func startOfToday() -> Int64 {
        Int64(Calendar.current.startOfDay(for: Date()).timeIntervalSince1970 * 1000)
    }

    static func dollars(_ value: Double) -> String { String(format: "$%.4f", value) }

    /// Text made safe for Telegram's HTML parse mode.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
