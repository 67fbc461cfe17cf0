import Foundation

/// One HTTP/1.1 request as a loopback double received it.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ...
    public let method: String
    /// The path without the query string, still percent-encoded.
    public let path: String
    /// The query string without its `?`, or `nil`.
    public let query: String?
    /// The header fields in the order received, names as sent.
    public let headers: [(name: String, value: String)]
    /// The body (`Content-Length` bytes).
    public let body: [UInt8]

    public init(method: String, path: String, query: String?, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first header field named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        for field in headers where field.name.count == name.count && field.name.lowercased() == name.lowercased() {
            return field.value
        }
        return nil
    }

    /// The media type of the body, lowercased and without parameters (`application/json`).
    public var mediaType: String? {
        guard let value = header("Content-Type") else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Whether the client asked to close the connection after this exchange.
    var wantsClose: Bool {
        header("Connection")?.lowercased().contains("close") ?? false
    }
}
