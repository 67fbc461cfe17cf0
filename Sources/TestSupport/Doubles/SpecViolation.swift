/// A request a double received that the published API specification does not allow.
public struct SpecViolation: Sendable, Equatable, CustomStringConvertible {
    /// The API method (`sendMessage`) or operation (`createChatCompletion`) the request was for.
    public let method: String
    /// Where in the request the problem is (`text`, `messages[2].tool_calls[0].id`), empty for the request itself.
    public let path: String
    public let problem: String

    public init(method: String, path: String, problem: String) {
        self.method = method
        self.path = path
        self.problem = problem
    }

    public var description: String { path.isEmpty ? "\(method): \(problem)" : "\(method): \(path): \(problem)" }
}
