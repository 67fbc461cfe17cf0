import Events
import Foundation

/// What the model calls cost so far: sums of the `model.completed` events, for `/status`, `/usage` and the daily
/// spending limit.
public struct UsageLedger: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Calls, tokens and cost of a period.
    public struct Totals: Sendable, Equatable {
        public var calls: Int64
        public var input: Int64
        public var output: Int64
        public var cost: Double
    }

    /// The totals since `since` (unix ms), of one chat or of all.
    public func totals(since: Int64, chatID: Int64?) throws(EventsError) -> Totals {
        var bindings: [SQLValue] = [.text(EventKind.modelCompleted), .integer(since)]
        var chatClause = ""
        if let chatID {
            chatClause = "AND chat_id = ?"
            bindings.append(.integer(chatID))
        }
        let row = try database.query(
            """
            SELECT COUNT(*), COALESCE(SUM(json_extract(payload, '$.input_tokens')), 0),
                COALESCE(SUM(json_extract(payload, '$.output_tokens')), 0), COALESCE(SUM(json_extract(payload, '$.cost_usd')), 0.0)
            FROM events WHERE kind = ? AND ts >= ? AND json_valid(payload) \(chatClause)
            """,
            bindings
        ).first
        return Totals(calls: row?[0].int64 ?? 0, input: row?[1].int64 ?? 0, output: row?[2].int64 ?? 0, cost: row?[3].double ?? 0)
    }

    /// Local midnight of today, in unix ms.
    public static func startOfToday() -> Int64 {
        Int64(Calendar.current.startOfDay(for: Date()).timeIntervalSince1970 * 1000)
    }
}
