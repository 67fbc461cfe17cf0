/// The one error type of `Control`: why a guarded call or a run was stopped.
public struct ControlError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The circuit breaker is open: the service failed the same way several times in a row.
        case circuitOpen
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error & Sendable)?
    public let file: String
    public let line: UInt

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String { message }
}
