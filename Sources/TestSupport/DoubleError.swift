/// The one error type of the test doubles: a server could not start, or a specification could not be read.
public struct DoubleError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The listening socket could not be created, bound or listened on.
        case cannotListen
        /// A committed API specification is missing or unreadable.
        case specificationUnavailable
        /// A control request or a script entry is malformed.
        case invalidScript
    }

    public let code: Code
    public let message: String
    /// The `errno` behind the failure, when there is one.
    public let errno: Int32?
    public let file: String
    public let line: UInt

    public init(_ code: Code, _ message: String, errno: Int32? = nil, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.errno = errno
        self.file = file
        self.line = line
    }

    public var description: String { message }
}
