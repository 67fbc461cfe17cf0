/// An open span of the event tree: the id of its opening event, and the means to add children and close it.
///
/// Everything written through it, its closing event included, has `parent_id` = the opening event's id and the
/// span's `run_id` and `chat_id`.
public struct Span: Sendable {
    public let store: EventStore
    /// The id of the opening event.
    public let id: Int64
    /// The noun of the span: `agent`, `turn`, `tool_call`.
    public let name: String
    public let runID: Int64?
    public let chatID: Int64?

    public init(store: EventStore, id: Int64, name: String, runID: Int64?, chatID: Int64?) {
        self.store = store
        self.id = id
        self.name = name
        self.runID = runID
        self.chatID = chatID
    }

    /// Appends a child event.
    @discardableResult
    public func event(_ kind: String, level: EventLevel = .info, payload: JSONObject = [:]) throws(EventsError) -> Int64 {
        try store.append(kind, parent: id, run: runID, chat: chatID, level: level, payload: payload)
    }

    /// Opens a child span.
    public func child(_ name: String, payload: JSONObject = [:]) throws(EventsError) -> Span {
        try store.startSpan(name, parent: id, run: runID, chat: chatID, payload: payload)
    }

    /// Closes the span with `<name>.completed`.
    @discardableResult
    public func complete(_ payload: JSONObject = [:]) throws(EventsError) -> Int64 {
        try event("\(name).completed", payload: payload)
    }

    /// Closes the span with `<name>.failed`, at level `error`.
    @discardableResult
    public func fail(_ payload: JSONObject = [:]) throws(EventsError) -> Int64 {
        try event("\(name).failed", level: .error, payload: payload)
    }
}
