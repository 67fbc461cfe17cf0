import Events
import Foundation

/// One agent run as `agent-log runs` shows it: from its `agent.started` and its closing event.
public struct RunSummary: Sendable, Equatable {
    /// The run id: the id of its `agent.started`.
    public let id: Int64
    public let startedAt: Int64
    public let chatID: Int64?
    /// `completed`, `failed`, or `unfinished` (no closing event: still running, or its process died).
    public let status: String
    public let turns: Int64?
    public let inputTokens: Int64?
    public let outputTokens: Int64?
    public let costUSD: Double?
    public let durationMilliseconds: Int64?
    /// Why a failed run ended.
    public let reason: String?

    /// The newest `limit` runs (all when `nil`), newest first, optionally of one chat.
    public static func load(from database: Database, chatID: Int64?, limit: Int?) throws(EventsError) -> [RunSummary] {
        var bindings: [SQLValue] = []
        var chatClause = ""
        if let chatID {
            chatClause = "AND started.chat_id = ?"
            bindings.append(.integer(chatID))
        }
        let limitClause = limit.map { "LIMIT \($0)" } ?? ""
        return try database.query(
            """
            SELECT started.id, started.ts, started.chat_id, closing.kind, closing.ts - started.ts,
                json_extract(closing.payload, '$.turns'), json_extract(closing.payload, '$.input_tokens'),
                json_extract(closing.payload, '$.output_tokens'), json_extract(closing.payload, '$.cost_usd'),
                json_extract(closing.payload, '$.reason')
            FROM events AS started
            LEFT JOIN (
                SELECT id, parent_id, kind, ts, CASE WHEN json_valid(payload) THEN payload ELSE '{}' END AS payload
                FROM events WHERE kind IN ('agent.completed', 'agent.failed')
            ) AS closing ON closing.parent_id = started.id
            WHERE started.kind = 'agent.started' \(chatClause)
            GROUP BY started.id
            ORDER BY started.id DESC \(limitClause)
            """,
            bindings
        ).map { row in
            let closing = row[3].string
            return RunSummary(
                id: row[0].int64 ?? 0, startedAt: row[1].int64 ?? 0, chatID: row[2].int64,
                status: closing == EventKind.agentCompleted ? "completed" : closing == EventKind.agentFailed ? "failed" : "unfinished",
                turns: row[5].int64, inputTokens: row[6].int64, outputTokens: row[7].int64, costUSD: row[8].double,
                durationMilliseconds: row[4].int64, reason: row[9].string)
        }
    }

    /// A table with a header line, oldest run last.
    public static func table(_ runs: [RunSummary]) -> String {
        var output = "WHEN                     RUN        CHAT             STATUS      TURNS  TOKENS IN/OUT      COST      DURATION\n"
        for run in runs {
            let tokens = "\(run.inputTokens.map(String.init) ?? "-")/\(run.outputTokens.map(String.init) ?? "-")"
            let cost = run.costUSD.map { String(format: "$%.4f", $0) } ?? "-"
            output += [
                EventFormatter.timestamp(run.startedAt).padded(25),
                String(run.id).padded(11),
                (run.chatID.map(String.init) ?? "-").padded(17),
                run.status.padded(12),
                (run.turns.map(String.init) ?? "-").padded(7),
                tokens.padded(19),
                cost.padded(10),
                run.durationMilliseconds.map(EventFormatter.duration) ?? "-",
            ].joined()
            if let reason = run.reason { output += "  " + reason }
            output += "\n"
        }
        return output
    }

    /// The run as one JSON object (keys in a fixed order).
    public var json: String {
        var output = "{\"run_id\":\(id),\"ts\":\(startedAt),\"chat_id\":\(EventFormatter.number(chatID)),\"status\":\"\(status)\""
        output += ",\"turns\":\(EventFormatter.number(turns)),\"input_tokens\":\(EventFormatter.number(inputTokens))"
        output += ",\"output_tokens\":\(EventFormatter.number(outputTokens)),\"cost_usd\":" + JSONValue(costUSD).serialized
        output += ",\"duration_ms\":\(EventFormatter.number(durationMilliseconds)),\"reason\":" + JSONValue(reason).serialized + "}"
        return output
    }
}

extension String {
    /// The text padded with spaces to `width` (never cut).
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
