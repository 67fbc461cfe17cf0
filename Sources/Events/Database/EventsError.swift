/// The one error type of the `Events` module: what went wrong with the store, pattern-matchable by `code`.
///
/// SQLite result codes are mapped into it at the boundary, so callers can write
/// `catch let error as EventsError where error.code == .diskFull`.
public struct EventsError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Code: Sendable, Equatable {
        /// The database stayed locked by another process past every retry.
        case busy
        /// The disk (or the file-size quota) is full; nothing was written.
        case diskFull
        /// The file or its directory cannot be written.
        case readOnly
        /// The file cannot be opened (missing, a directory, no permission).
        case cannotOpen
        /// The file is not a database, or it is damaged.
        case corrupt
        /// The database was written by a newer major schema than this program knows.
        case newerMajorSchema
        /// The database has never been initialised by a writer.
        case notInitialized
        /// A constraint (unique key, foreign key) refused the row.
        case constraint
        /// Another process holds the database's instance lock (a second supervisor or worker on one database).
        case alreadyRunning
        /// The caller passed something the store does not accept (a malformed kind, a payload that is not a JSON object).
        case invalidInput
        /// Any other SQLite failure, with its primary result code.
        case sqlite(Int32)
    }

    public let code: Code
    public let message: String
    public let underlying: (any Error & Sendable)?
    public let file: String
    public let line: UInt

    public init(
        _ code: Code,
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String { message }

    /// Whether trying again later may succeed (a busy database, a full disk, a read-only file).
    public var isTransient: Bool {
        switch code {
        case .busy, .diskFull, .readOnly: true
        default: false
        }
    }
}
