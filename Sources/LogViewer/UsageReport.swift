import Events
import Foundation

/// Token and cost totals from the `model.completed` events, grouped by day, model or chat.
public struct UsageReport: Sendable {
    /// How rows are grouped.
    public enum Grouping: String, Sendable, CaseIterable {
        case day
        case model
        case chat
    }

    /// The totals of one group.
    public struct Row: Sendable, Equatable {
        public let key: String
        public let calls: Int64
        public let inputTokens: Int64
        public let outputTokens: Int64
        public let cachedTokens: Int64
        public let costUSD: Double
        /// Calls whose response carried no usage: their tokens are unknown, not zero.
        public let callsWithoutUsage: Int64
    }

    public let grouping: Grouping
    public let rows: [Row]

    /// Sums every `model.completed` event, optionally only those from event `minimumID` on and since
    /// `minimumTimestamp` (unix ms).
    public static func load(
        from database: Database, by grouping: Grouping, minimumID: Int64? = nil, minimumTimestamp: Int64? = nil
    ) throws(EventsError) -> UsageReport {
        let key: String
        switch grouping {
        case .day: key = "date(ts / 1000, 'unixepoch', 'localtime')"
        case .model: key = "COALESCE(json_extract(payload, '$.model'), '(unknown)')"
        case .chat: key = "COALESCE(CAST(chat_id AS TEXT), '(none)')"
        }
        let rows = try database.query(
            """
            SELECT \(key) AS grouping_key, COUNT(*),
                COALESCE(SUM(json_extract(payload, '$.input_tokens')), 0),
                COALESCE(SUM(json_extract(payload, '$.output_tokens')), 0),
                COALESCE(SUM(json_extract(payload, '$.cached_tokens')), 0),
                COALESCE(SUM(json_extract(payload, '$.cost_usd')), 0.0),
                SUM(json_type(payload, '$.input_tokens') IS NULL OR json_type(payload, '$.input_tokens') = 'null')
            FROM events
            WHERE kind = 'model.completed' AND json_valid(payload) AND ts >= ? AND id >= ?
            GROUP BY grouping_key ORDER BY grouping_key
            """,
            [.integer(minimumTimestamp ?? 0), .integer(minimumID ?? 0)]
        ).map { row in
            Row(
                key: row[0].string ?? "", calls: row[1].int64 ?? 0, inputTokens: row[2].int64 ?? 0,
                outputTokens: row[3].int64 ?? 0, cachedTokens: row[4].int64 ?? 0, costUSD: row[5].double ?? 0,
                callsWithoutUsage: row[6].int64 ?? 0)
        }
        return UsageReport(grouping: grouping, rows: rows)
    }

    /// A table with a header, one line per group and a total line.
    public var table: String {
        var output = grouping.rawValue.uppercased().padded(22)
        output += "CALLS     INPUT         OUTPUT        CACHED        COST\n"
        for row in rows + [total] {
            output += row.key.padded(22) + String(row.calls).padded(10) + String(row.inputTokens).padded(14)
            output += String(row.outputTokens).padded(14) + String(row.cachedTokens).padded(14)
            output += String(format: "$%.4f", row.costUSD)
            if row.callsWithoutUsage > 0 { output += "  (\(row.callsWithoutUsage) calls without usage)" }
            output += "\n"
        }
        return output
    }

    /// The sum of every row.
    public var total: Row {
        Row(
            key: "total", calls: rows.reduce(0) { $0 + $1.calls }, inputTokens: rows.reduce(0) { $0 + $1.inputTokens },
            outputTokens: rows.reduce(0) { $0 + $1.outputTokens }, cachedTokens: rows.reduce(0) { $0 + $1.cachedTokens },
            costUSD: rows.reduce(0) { $0 + $1.costUSD }, callsWithoutUsage: rows.reduce(0) { $0 + $1.callsWithoutUsage })
    }

    /// One JSON object per group, one per line.
    public var jsonLines: String {
        rows.map { row in
            JSONValue.object([
                grouping.rawValue: .string(row.key), "calls": .int(row.calls), "input_tokens": .int(row.inputTokens),
                "output_tokens": .int(row.outputTokens), "cached_tokens": .int(row.cachedTokens),
                "cost_usd": .double(row.costUSD), "calls_without_usage": .int(row.callsWithoutUsage),
            ]).serialized + "\n"
        }.joined()
    }
}
