import Events

/// The one error type of `Revisions`: why an artifact cannot be found, decided, installed or switched to.
public struct RevisionsError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// No artifact has this id or rev (or a prefix matches several).
        case notFound
        /// The artifact is not in a state that allows the step (approving one already deployed).
        case wrongState
        /// The artifact's files are missing or do not match its rev.
        case badArtifact
        /// A file of `AGENT_HOME` cannot be written.
        case fileSystem
        /// The database failed; `underlying` is the `EventsError`.
        case database
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

    /// A database failure, with the store's message.
    public init(_ error: EventsError, file: String = #fileID, line: UInt = #line) {
        self.init(.database, error.message, underlying: error, file: file, line: line)
    }

    public var description: String { message }

    /// Whether trying again later may succeed (the database was busy, full or read-only).
    public var isTransient: Bool { (underlying as? EventsError)?.isTransient ?? false }
}
