import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// The append-only log of what every program did: the `events` table.
///
/// Rows are never updated. Every append validates the kind (`noun.verb`), cleans the payload
/// (`PayloadSanitizer`: no secret, no text over 8 KiB) and stamps the writer's identity and the time.
public final class EventStore: Sendable {
    public let database: Database
    public let identity: EventIdentity
    public let sanitizer: PayloadSanitizer
    private let now: @Sendable () -> Int64

    /// - Parameters:
    ///   - secrets: values to redact from every payload (the bot token, the API key).
    ///   - now: the clock, in unix milliseconds.
    public init(
        database: Database,
        identity: EventIdentity,
        secrets: [String] = [],
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.database = database
        self.identity = identity
        self.sanitizer = PayloadSanitizer(secrets: secrets)
        self.now = now
    }

    /// Appends one event in its own transaction and returns its id.
    @discardableResult
    public func append(
        _ kind: String,
        parent: Int64? = nil,
        run: Int64? = nil,
        chat: Int64? = nil,
        level: EventLevel = .info,
        payload: JSONObject = [:]
    ) throws(EventsError) -> Int64 {
        try append(NewEvent(kind, parent: parent, run: run, chat: chat, level: level, payload: payload))
    }

    /// Appends one event in its own transaction and returns its id.
    @discardableResult
    public func append(_ event: NewEvent) throws(EventsError) -> Int64 {
        try database.write { connection throws(EventsError) in try append(event, in: connection) }
    }

    /// Appends events in one transaction: all are stored or none. Returns their ids in order.
    @discardableResult
    public func append(batch events: [NewEvent]) throws(EventsError) -> [Int64] {
        try database.write { connection throws(EventsError) in
            var ids: [Int64] = []
            ids.reserveCapacity(events.count)
            for event in events { ids.append(try append(event, in: connection)) }
            return ids
        }
    }

    /// Appends an event inside a transaction the caller holds (`database.write`), so that it commits or rolls
    /// back together with the caller's other rows.
    @discardableResult
    public func append(_ event: NewEvent, in connection: Connection) throws(EventsError) -> Int64 {
        try insert(event, payload: sanitizer.serialize(event.payload), ownRun: false, in: connection)
    }

    /// Appends an event whose payload arrives as JSON text (from a script or another program).
    ///
    /// - Throws: `.invalidInput` when the text is not a JSON object.
    @discardableResult
    public func append(_ kind: String, parent: Int64? = nil, chat: Int64? = nil, payloadJSON: String) throws(EventsError) -> Int64 {
        guard let object = (try? JSONValue(parsing: payloadJSON))?.objectValue else {
            throw EventsError(
                .invalidInput, "the payload of \(kind) is not a JSON object: \(sanitizer.redact(String(payloadJSON.prefix(80))))")
        }
        return try append(kind, parent: parent, chat: chat, payload: object)
    }

    /// Opens a span: writes `<name>.started` and returns the handle that closes it.
    public func startSpan(
        _ name: String,
        parent: Int64?,
        run: Int64? = nil,
        chat: Int64? = nil,
        payload: JSONObject = [:]
    ) throws(EventsError) -> Span {
        let kind = "\(name).started"
        let id = try append(kind, parent: parent, run: run, chat: chat, payload: payload)
        return Span(store: self, id: id, name: name, runID: run, chatID: chat)
    }

    /// Opens an agent run: writes `agent.started` whose `run_id` is its own id, so the run and all its events
    /// share one `run_id`.
    public func startRun(parent: Int64?, chat: Int64?, payload: JSONObject = [:]) throws(EventsError) -> Span {
        let event = NewEvent(EventKind.agentStarted, parent: parent, chat: chat, payload: payload)
        let id = try database.write { connection throws(EventsError) in
            try insert(event, payload: sanitizer.serialize(event.payload), ownRun: true, in: connection)
        }
        return Span(store: self, id: id, name: "agent", runID: id, chatID: chat)
    }

    private func insert(_ event: NewEvent, payload: String, ownRun: Bool, in connection: Connection) throws(EventsError) -> Int64 {
        guard EventKind.isWellFormed(event.kind) else {
            throw EventsError(.invalidInput, "\"\(event.kind)\" is not an event kind: use lowercase noun.verb, like agent.started")
        }
        let values: [SQLValue] = [
            .integer(now()), .text(event.kind), SQLValue(event.parentID), .text(identity.source.rawValue),
            .integer(Int64(identity.pid)), SQLValue(identity.rev), SQLValue(identity.instance), SQLValue(event.chatID),
            .text(event.level.rawValue), .text(payload),
        ]
        if ownRun {
            try connection.execute(Self.insertOwnRunSQL, values)
        } else {
            try connection.execute(Self.insertSQL, values + [SQLValue(event.runID)])
        }
        return connection.lastInsertRowID
    }

    private static let insertSQL = """
        INSERT INTO events (ts, kind, parent_id, source, pid, rev, instance, chat_id, level, payload, run_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Takes the next AUTOINCREMENT id itself so that `run_id` can equal `id` in the same, single insert.
    private static let insertOwnRunSQL = """
        INSERT INTO events (ts, kind, parent_id, source, pid, rev, instance, chat_id, level, payload, id, run_id)
        SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, next.id, next.id
        FROM (SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0) + 1 AS id) AS next
        """
}
