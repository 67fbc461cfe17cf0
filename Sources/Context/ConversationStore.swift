import Events
import Foundation

/// The `messages` of each chat and its sessions: what the model is shown as history.
///
/// `/new` starts a session: messages before it stay stored but are no longer history.
public struct ConversationStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores the user's message of an inbox row once, however many attempts process it; returns its id.
    public func recordUserMessage(chatID: Int64, text: String, inboxID: Int64, ts: Int64) throws(EventsError) -> Int64 {
        try database.write { connection throws(EventsError) in
            if let existing = try connection.scalar(
                "SELECT id FROM messages WHERE inbox_id = ? AND role = 'user'", [.integer(inboxID)]
            ).int64 {
                return existing
            }
            try connection.execute(
                "INSERT INTO messages (chat_id, role, content, inbox_id, ts) VALUES (?, 'user', ?, ?, ?)",
                [.integer(chatID), .text(text), .integer(inboxID), .integer(ts)])
            return connection.lastInsertRowID
        }
    }

    /// Appends a message inside the caller's transaction; returns its id.
    @discardableResult
    public func append(_ message: StoredMessage, inboxID: Int64?, in connection: Connection) throws(EventsError) -> Int64 {
        try connection.execute(
            """
            INSERT INTO messages (chat_id, role, content, tool_calls, tool_call_id, tool_name, run_id, inbox_id, ts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(message.chatID), .text(message.role), .text(message.content), SQLValue(message.toolCalls),
                SQLValue(message.toolCallID), SQLValue(message.toolName), SQLValue(message.runID), SQLValue(inboxID),
                .integer(message.ts),
            ])
        return connection.lastInsertRowID
    }

    /// Appends one message in a transaction of its own; returns its id.
    @discardableResult
    public func append(_ message: StoredMessage, inboxID: Int64?) throws(EventsError) -> Int64 {
        try database.write { connection throws(EventsError) in try append(message, inboxID: inboxID, in: connection) }
    }

    /// The messages an earlier attempt at the inbox row stored after its user message (the assistant's tool calls
    /// and their results), oldest first: what a run resumed after a crash starts from.
    public func messagesOfEarlierAttempts(inboxID: Int64, after userMessageID: Int64) throws(EventsError) -> [StoredMessage] {
        try database.query(
            """
            SELECT id, chat_id, role, content, tool_calls, tool_call_id, tool_name, run_id, ts FROM messages
            WHERE inbox_id = ? AND id > ? AND role IN ('assistant', 'tool') ORDER BY id
            """,
            [.integer(inboxID), .integer(userMessageID)]
        ).map(Self.message)
    }

    /// The newest `limit` messages of the chat's current session before message `beforeID`, oldest first.
    public func history(chatID: Int64, before beforeID: Int64, limit: Int) throws -> [StoredMessage] {
        try database.query(
            """
            SELECT id, chat_id, role, content, tool_calls, tool_call_id, tool_name, run_id, ts FROM (
                SELECT * FROM messages
                WHERE chat_id = ? AND id < ?
                  AND id > COALESCE((SELECT started_after_message_id FROM chat_sessions WHERE chat_id = ?), 0)
                ORDER BY id DESC LIMIT ?
            ) ORDER BY id
            """,
            [.integer(chatID), .integer(beforeID), .integer(chatID), .integer(Int64(limit))]
        ).map(Self.message)
    }

    /// A row of `SELECT id, chat_id, role, content, tool_calls, tool_call_id, tool_name, run_id, ts`.
    private static func message(_ row: Row) -> StoredMessage {
        StoredMessage(
            id: row[0].int64 ?? 0, chatID: row[1].int64 ?? 0, role: row[2].string ?? "", content: row[3].string ?? "",
            toolCalls: row[4].string, toolCallID: row[5].string, toolName: row[6].string, runID: row[7].int64,
            ts: row[8].int64 ?? 0)
    }

    /// Starts a new session for the chat: everything stored so far stops being history.
    public func startNewSession(chatID: Int64) throws(EventsError) {
        try database.write { connection throws(EventsError) in
            try connection.execute(
                """
                INSERT INTO chat_sessions (chat_id, started_after_message_id, started_at)
                VALUES (?, (SELECT COALESCE(MAX(id), 0) FROM messages), ?)
                ON CONFLICT (chat_id) DO UPDATE SET
                    started_after_message_id = excluded.started_after_message_id, started_at = excluded.started_at
                """,
                [.integer(chatID), .integer(Int64(Date().timeIntervalSince1970 * 1000))])
        }
    }
}
