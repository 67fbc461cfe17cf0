/// Which program wrote an event.
public enum EventSource: String, Sendable, CaseIterable {
    case supervisor
    case worker
    case build
}

/// How much an event matters to a person reading the log.
public enum EventLevel: String, Sendable, CaseIterable, Comparable {
    case debug
    case info
    case warn
    case error

    public static func < (lhs: EventLevel, rhs: EventLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One row of the `events` table as read back.
///
/// `payload` is kept as the stored text: readers that only print it never pay for parsing it. A row written by
/// some other tool may hold text that is not JSON; `payloadObject` is then `nil`.
public struct Event: Sendable, Equatable {
    public let id: Int64
    public let ts: Int64
    public let kind: String
    public let parentID: Int64?
    public let runID: Int64?
    public let source: String
    public let pid: Int64?
    public let rev: String?
    public let instance: Int64?
    public let chatID: Int64?
    public let level: String
    public let payload: String

    public init(
        id: Int64, ts: Int64, kind: String, parentID: Int64?, runID: Int64?, source: String, pid: Int64?,
        rev: String?, instance: Int64?, chatID: Int64?, level: String, payload: String
    ) {
        self.id = id
        self.ts = ts
        self.kind = kind
        self.parentID = parentID
        self.runID = runID
        self.source = source
        self.pid = pid
        self.rev = rev
        self.instance = instance
        self.chatID = chatID
        self.level = level
        self.payload = payload
    }

    /// The payload parsed, or `nil` when the stored text is not a JSON object.
    public var payloadObject: JSONObject? {
        (try? JSONValue(parsing: payload))?.objectValue
    }

    /// The columns to select, in order, for `init(row:)`.
    ///
    /// The payload comes back as a JSON object whatever the row holds: text that is not JSON becomes
    /// `{"payload_invalid": true, "raw": ...}` and JSON that is not an object becomes `{"value": ...}`, so readers
    /// can pass it on as an object without parsing it.
    public static let selectColumns = """
        id, ts, kind, parent_id, run_id, source, pid, rev, instance, chat_id, level,
        CASE WHEN substr(payload, 1, 1) = '{' AND json_valid(payload) THEN payload
            WHEN json_valid(payload) THEN json_object('value', json(payload))
            ELSE json_object('payload_invalid', json('true'), 'raw', payload) END
        """

    /// Builds an event from a row whose first columns are `selectColumns`.
    public init(row: Row) {
        self.init(
            id: row[0].int64 ?? 0,
            ts: row[1].int64 ?? 0,
            kind: row[2].string ?? "",
            parentID: row[3].int64,
            runID: row[4].int64,
            source: row[5].string ?? "",
            pid: row[6].int64,
            rev: row[7].string,
            instance: row[8].int64,
            chatID: row[9].int64,
            level: row[10].string ?? "info",
            payload: row[11].string ?? "{}"
        )
    }
}
