import Events
import Revisions

/// One fenced step of a stage: its span of events, its log, and the status its failure leaves.
public enum StageStep: String, Sendable, CaseIterable {
    case build
    case test
    case selfCheck = "self_check"

    public var startedKind: String {
        switch self {
        case .build: EventKind.updateBuildStarted
        case .test: EventKind.updateTestStarted
        case .selfCheck: EventKind.updateSelfCheckStarted
        }
    }

    public var completedKind: String {
        switch self {
        case .build: EventKind.updateBuildCompleted
        case .test: EventKind.updateTestCompleted
        case .selfCheck: EventKind.updateSelfCheckCompleted
        }
    }

    public var failedKind: String {
        switch self {
        case .build: EventKind.updateBuildFailed
        case .test: EventKind.updateTestFailed
        case .selfCheck: EventKind.updateSelfCheckFailed
        }
    }

    /// The artifact's status when this step fails.
    public var failureStatus: ArtifactStatus {
        switch self {
        case .build: .buildFailed
        case .test: .testFailed
        case .selfCheck: .checkFailed
        }
    }

    /// The step's log, in the staging folder and then in the artifact: `build.log`, `test.log`, `self_check.log`.
    public var logName: String { "\(rawValue).log" }
}
