import Synchronization

/// The state of a run shared between the task that runs its turns and the one that closes it, which reads the
/// totals whatever ended the run (an error, `/stop`, the wall limit).
final class RunStateBox: Sendable {
    private let storage: Mutex<AgentLoop.State>

    init(_ state: AgentLoop.State) {
        storage = Mutex(state)
    }

    var value: AgentLoop.State {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
