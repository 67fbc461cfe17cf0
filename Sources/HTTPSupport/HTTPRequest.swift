/// One HTTP request as the clients build it: no URLRequest, so that no program needs FoundationNetworking.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The whole URL, `https://host/path?query`.
    public var url: String
    /// Name and value of each header, in order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
    }
}
