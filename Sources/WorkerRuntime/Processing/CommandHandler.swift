import Context
import Events
import Foundation
import Revisions
import Settings
import Telegram
import Tools

/// Answers the commands (SPEC section 4, step 5) from the database and the worker's own state.
public struct CommandHandler: Sendable {
    public let context: WorkerContext
    public let chatStops: ChatStops
    public let stages: StageLauncher

    public init(context: WorkerContext, chatStops: ChatStops, stages: StageLauncher) {
        self.context = context
        self.chatStops = chatStops
        self.stages = stages
    }

    /// The answer to `command` (the whole `text` it came in) from `userID` in `chatID`, after doing what it asks
    /// (`/new` starts a session, `/stage` starts a stage, `/rollback` requests a rollback). Admin commands from
    /// anyone else are refused.
    public func answer(_ command: Command, text: String = "", chatID: Int64, userID: Int64 = 0) throws(EventsError)
        -> String
    {
        if command.isAdminOnly, !context.settings.adminUserIDs.contains(userID) {
            return "Only an admin can use /\(command.rawValue)."
        }
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
            // A `/stop` that ended a run is answered by the run itself (MessageHandler).
            return "Nothing is running in this chat."
        case .version:
            return
                "agent-worker \(Self.escape(BuildInfo.version)), rev <code>\(String((context.settings.rev ?? "unknown").prefix(12)))</code>"
        case .stage:
            let reason = Self.argument(of: text)
            guard stages.request(StageLauncher.Request(requestedBy: String(userID), reason: reason)) else {
                return "A stage is already running; its result comes when it ends."
            }
            return
                "Staging started: the workspace's changes are built, tested and self-checked. The result comes with Approve / Reject buttons."
        case .rollback:
            return rollback(to: Self.argument(of: text), userID: userID)
        }
    }

    /// `/rollback [REV]`: the request for the supervisor, or why it cannot be made.
    func rollback(to reference: String?, userID: Int64) -> String {
        var rev = reference
        if let reference, let found = try? ArtifactTable(database: context.store.database).find(reference) { rev = found.rev ?? reference }
        do {
            try RollbackRequest.write(rev: rev, requestedBy: String(userID), store: context.store, home: context.settings.paths.home)
            return
                "Rollback requested: the supervisor restores \(rev.map { "<code>\(Self.escape(String($0.prefix(12))))</code>" } ?? "the previous good revision") and tells you when it serves."
        } catch {
            return "Cannot roll back: \(Self.escape(error.message))"
        }
    }

    /// The text after the command word, `nil` when none.
    static func argument(of text: String) -> String? {
        let rest = text.drop { !$0.isWhitespace }.trimmingCharacters(in: .whitespacesAndNewlines)
        return rest.isEmpty ? nil : rest
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
