/// Which events a query returns; every field left `nil` matches everything.
public struct EventFilter: Sendable, Equatable {
    /// A shell-style glob on `kind` (`agent.*`, `tool_call.*`, `telegram.unauthorized`), matched by SQLite `GLOB`.
    public var kindGlob: String?
    public var chatID: Int64?
    public var runID: Int64?
    /// Only events with `id >= minimumID`.
    public var minimumID: Int64?
    /// Only events with `ts >= minimumTimestamp` (unix ms).
    public var minimumTimestamp: Int64?

    public init(
        kindGlob: String? = nil,
        chatID: Int64? = nil,
        runID: Int64? = nil,
        minimumID: Int64? = nil,
        minimumTimestamp: Int64? = nil
    ) {
        self.kindGlob = kindGlob
        self.chatID = chatID
        self.runID = runID
        self.minimumID = minimumID
        self.minimumTimestamp = minimumTimestamp
    }

    /// The `WHERE` clause (without the keyword, `1` when empty) and its bindings. `timeBoundID`, the first id
    /// written at or after `minimumTimestamp`, lets SQLite start there instead of scanning every row (there is no
    /// index on `ts`: see `EventReader.firstID(notBefore:in:)`).
    func sql(timeBoundID: Int64? = nil) -> (clause: String, bindings: [SQLValue]) {
        var terms: [String] = []
        var bindings: [SQLValue] = []
        if let kindGlob {
            terms.append("kind GLOB ?")
            bindings.append(.text(kindGlob))
        }
        if let chatID {
            terms.append("chat_id = ?")
            bindings.append(.integer(chatID))
        }
        if let runID {
            terms.append("run_id = ?")
            bindings.append(.integer(runID))
        }
        if let minimumID {
            terms.append("id >= ?")
            bindings.append(.integer(minimumID))
        }
        if let minimumTimestamp {
            terms.append("ts >= ?")
            bindings.append(.integer(minimumTimestamp))
        }
        if let timeBoundID {
            terms.append("id >= ?")
            bindings.append(.integer(timeBoundID))
        }
        return (terms.isEmpty ? "1" : terms.joined(separator: " AND "), bindings)
    }
}
