/// One event of a server-sent event stream: its type (`message` unless an `event:` line named one), its data (the
/// `data:` lines joined by newlines) and its `id:`.
public struct ServerSentEvent: Sendable, Equatable {
    public var type: String
    public var data: String
    public var id: String?

    public init(type: String = "message", data: String, id: String? = nil) {
        self.type = type
        self.data = data
        self.id = id
    }
}
