import FoundationEssentials
import ProcessControl

#if canImport(Glibc)
    import Glibc
#endif

/// Crash points of a deploy, for the tests of "killed mid-switch, it finishes or undoes the switch on restart":
/// when `AGENT_FAILPOINT` names one, the supervisor kills itself with SIGKILL on reaching it, as `kill -9` would.
/// Names that are not the supervisor's (the worker's own points) leave it unarmed.
public struct SupervisorFailpoint: Sendable, Equatable {
    public enum Point: String, Sendable, CaseIterable {
        /// The `deploying` mark is committed; `current` still points at the old revision.
        case afterDeployingMark = "deploy.after_mark"
        /// `current` points at the new revision; no worker of it has started yet.
        case afterSwitch = "deploy.after_switch"
    }

    public let armed: Point?

    public init(_ setting: String?) {
        armed = setting.flatMap(Point.init(rawValue:))
    }

    /// Dies here when this point is armed.
    public func check(_ point: Point) {
        guard armed == point else { return }
        writeToStandardError("supervisord-agent: failpoint \(point.rawValue) reached, killing myself\n")
        kill(getpid(), SIGKILL)
    }
}
