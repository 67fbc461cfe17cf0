/// The one error type of the supervisor: why it cannot start or go on.
public struct SupervisorError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// Nothing is deployed and no `--worker` was given, or the worker cannot be started.
        case noWorker
        /// The database, the lock or the home folder cannot be set up.
        case startFailed
        /// The good revision's worker exits 2 (its settings or folders are wrong) before it gets ready: restarting
        /// it cannot help, so the supervisor stops (exit 2) instead of restarting it for good.
        case workerMisconfigured
    }

    public let code: Code
    public let message: String
    public let file: String
    public let line: UInt

    public init(_ code: Code, _ message: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message }
}
