/// The one error type of `ProcessControl`: a child could not be started or talked to.
public struct ProcessControlError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// `posix_spawn` failed (no such file, not executable, out of resources).
        case spawnFailed
        /// A pipe or a file for the child's streams could not be made.
        case streamSetupFailed
        /// The child did not end before its deadline and was killed.
        case timedOut
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
