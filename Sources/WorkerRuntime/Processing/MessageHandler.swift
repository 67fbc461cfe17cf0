import Events
import Foundation
import Logging
import Revisions
import Telegram

/// Processes one inbox row to its end (SPEC section 4, steps 2, 3 and 5): counts the attempt, gives a poison
/// update up after the last one, ignores what is not for the bot, rejects users not on the allowlist, answers
/// commands, and hands everything else to the agent.
public struct MessageHandler: Sendable {
    public let context: WorkerContext
    public let commands: CommandHandler
    public let responder: AgentResponder
    let replies: ReplyWriter

    public init(context: WorkerContext, commands: CommandHandler, responder: AgentResponder) {
        self.context = context
        self.commands = commands
        self.responder = responder
        self.replies = ReplyWriter(context: context)
    }

    /// Processes the row; `stoppedRun` says whether a `/stop` in it ended a run of its chat.
    public func process(_ row: InboxRow, stoppedRun: Bool = false) async throws {
        context.trace.dispatched(update: row.updateID, row: row.id)
        let attempt = try context.inbox.beginAttempt(row.id)
        guard let update = Update(storedJSON: row.raw) else {
            try context.inbox.finish(row.id, status: "done", error: "not a readable update")
            return
        }
        if attempt > context.settings.maxAttempts {
            try giveUp(row, update: update, attempts: attempt - 1)
            return
        }
        if let query = update.callbackQuery {
            try await answer(query, row: row)
            return
        }
        guard let message = update.message, let sender = message.from else {
            try context.inbox.finish(row.id, status: "done", error: "nothing to answer")
            return
        }
        guard let text = Addressing.text(of: message, bot: context.bot) else {
            try context.inbox.finish(row.id, status: "done", error: "not addressed to the bot")
            return
        }
        let chatID = message.chat.id
        guard context.settings.allowedUserIDs.contains(sender.id) else {
            try reject(row, userID: sender.id, chatID: chatID, username: sender.username)
            return
        }
        let replyTo = message.chat.isGroup ? Int64(message.messageID) : nil
        if let command = Command(text: text) {
            try context.store.append(
                EventKind.commandReceived, parent: context.process.id, chat: chatID,
                payload: ["command": .string(command.rawValue), "chat_id": .int(chatID)])
            if command == .stop, stoppedRun {
                // The stopped run closes with its own "Stopped." (AgentResponder): a second one would repeat it.
                try context.inbox.finish(row.id, status: "done", error: "the stopped run answered")
                return
            }
            let reply = try commands.answer(command, text: text, chatID: chatID, userID: sender.id)
            try replies.commit(ReplyWriter.Answer(text: reply, replyToMessageID: replyTo), chatID: chatID, inboxID: row.id, runID: nil)
            return
        }
        try await responder.respond(
            to: text, row: row, chatID: chatID, attempt: attempt, sentAt: message.date * 1000, replyTo: replyTo,
            isPrivateChat: message.chat.type == .private)
    }

    /// A user not on the allowlist: recorded with both ids so that the owner can add them; nothing is answered.
    func reject(_ row: InboxRow, userID: Int64, chatID: Int64, username: String?) throws(EventsError) {
        try context.store.database.write { connection throws(EventsError) in
            try context.inbox.finish(row.id, status: "rejected", in: connection)
            try context.store.append(
                NewEvent(
                    EventKind.telegramUnauthorized, parent: context.process.id, chat: chatID, level: .warn,
                    payload: [
                        "user_id": .int(userID), "chat_id": .int(chatID), "username": JSONValue(username),
                        "update_id": .int(row.updateID),
                    ]),
                in: connection)
        }
    }

    /// A poison update: every attempt died with its process. It is failed and its user gets one short apology.
    func giveUp(_ row: InboxRow, update: Update, attempts: Int) throws(EventsError) {
        let chatID = update.message?.chat.id ?? row.chatID
        let closing = NewEvent(
            EventKind.inboxFailed, parent: context.process.id, chat: chatID, level: .error,
            payload: ["update_id": .int(row.updateID), "attempts": .int(Int64(attempts))])
        guard let chatID, let userID = update.message?.from?.id, context.settings.allowedUserIDs.contains(userID) else {
            try context.store.database.write { connection throws(EventsError) in
                try context.inbox.finish(row.id, status: "failed", error: "gave up after \(attempts) attempts", in: connection)
                try context.store.append(closing, in: connection)
            }
            return
        }
        try replies.commit(
            ReplyWriter.Answer(
                text: "Sorry, I could not process that message: it failed \(attempts) times. Please try again, or send something else.",
                kind: "notice", parseMode: nil),
            chatID: chatID, inboxID: row.id, runID: nil, inboxStatus: "failed", closing: closing)
    }

    /// A button press. Buttons are for admins; anyone else's press is refused and recorded (`callback.refused`).
    /// An admin's `approve:<id>` / `reject:<id>` decides the staged artifact (`UpdateDecision`, once however
    /// often it is pressed) and is confirmed in the chat.
    func answer(_ query: CallbackQuery, row: InboxRow) async throws {
        let isAdmin = context.settings.adminUserIDs.contains(query.from.id)
        let chatID = query.message?.chat.id
        var confirmation: String?
        let text: String
        if !isAdmin {
            text = "Only an admin can use these buttons."
            try context.store.append(
                EventKind.callbackRefused, parent: context.process.id, chat: chatID, level: .warn,
                payload: ["user_id": .int(query.from.id), "data": JSONValue(query.data), "chat_id": JSONValue(chatID)])
        } else if let (decision, id) = Self.decision(in: query.data) {
            do {
                let artifact = try decision.apply(to: id, decidedBy: String(query.from.id), store: context.store)
                let rev = String((artifact.rev ?? "?").prefix(12))
                text = decision == .approve ? "Approved: deploying." : "Rejected."
                confirmation =
                    decision == .approve
                    ? "Artifact #\(id) (<code>\(rev)</code>) approved: the supervisor deploys it now and holds it on probation."
                    : "Artifact #\(id) (<code>\(rev)</code>) rejected."
            } catch  where error.isTransient {
                throw error
            } catch {
                text = String(error.message.prefix(190))
            }
        } else {
            text = "This button is no longer active."
        }
        do {
            try await context.telegram.answerCallbackQuery(id: query.id, text: text, showAlert: false)
        } catch {
            context.logger.warning("answerCallbackQuery failed", metadata: ["error": "\(error.message)"])
        }
        if let confirmation, let chatID {
            try replies.commit(ReplyWriter.Answer(text: confirmation, kind: "notice"), chatID: chatID, inboxID: row.id, runID: nil)
        } else {
            try context.inbox.finish(row.id, status: "done")
        }
    }

    /// `approve:<id>` or `reject:<id>`.
    static func decision(in data: String?) -> (UpdateDecision, Int64)? {
        guard let parts = data?.split(separator: ":"), parts.count == 2, let id = Int64(parts[1]),
            let decision = UpdateDecision(rawValue: String(parts[0]))
        else { return nil }
        return (decision, id)
    }
}
