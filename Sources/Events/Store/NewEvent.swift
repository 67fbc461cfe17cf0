/// An event about to be appended: everything but the columns the store fills in (id, ts and the writer's identity).
public struct NewEvent: Sendable {
    public var kind: String
    public var parentID: Int64?
    public var runID: Int64?
    public var chatID: Int64?
    public var level: EventLevel
    public var payload: JSONObject

    public init(
        _ kind: String,
        parent: Int64? = nil,
        run: Int64? = nil,
        chat: Int64? = nil,
        level: EventLevel = .info,
        payload: JSONObject = [:]
    ) {
        self.kind = kind
        self.parentID = parent
        self.runID = run
        self.chatID = chat
        self.level = level
        self.payload = payload
    }
}
