import Events
import Revisions

/// The one error type of the pipeline: what `agent-build` reports in one line (exit 1), or a usage error (exit 2).
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        /// The command line or the request makes no sense (exit 2).
        case usage
        /// A step of the stage failed: the artifact is `build_failed`, `test_failed` or `check_failed`.
        case stepFailed
        /// No artifact, workspace, commit or patch where one was needed.
        case notFound
        /// The artifact's state does not allow the step.
        case wrongState
        /// Running the fenced steps is impossible here (no bubblewrap, and unfenced runs not allowed).
        case noFence
        /// A file could not be read or written, a helper (git) failed.
        case failed
        /// The database failed.
        case database
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

    public init(_ error: EventsError, file: String = #fileID, line: UInt = #line) {
        self.init(.database, error.message, file: file, line: line)
    }

    public init(_ error: RevisionsError, file: String = #fileID, line: UInt = #line) {
        let code: Code =
            switch error.code {
            case .notFound: .notFound
            case .wrongState: .wrongState
            case .database: .database
            case .badArtifact, .fileSystem: .failed
            }
        self.init(code, error.message, file: file, line: line)
    }

    public var description: String { message }

    /// The exit code of `agent-build`: 2 for a usage error, 1 for anything else.
    public var exitCode: Int32 { code == .usage ? 2 : 1 }
}
