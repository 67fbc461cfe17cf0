import Synchronization

/// Whether the worker's loops are getting on with their work, so that the watchdog beat stands for real progress.
///
/// Each loop is a `Component` (the poller, the sender, the dispatcher) with an allowance: how long a piece of its
/// work may go without progress. Work is counted only while it is in flight (`withWork`), so an idle component is
/// always healthy, and a component with work in flight and no progress for longer than the allowance is stalled:
/// `SupervisorLink` then withholds `WATCHDOG=1` and the supervisor restarts the worker.
///
/// A step known to take long gets its own allowance: inside `withWork`, `ProgressClock.Work.current` is the work's
/// handle (a task local, so code far down the call tree reaches it without a parameter), and
/// `step(allowing:)` says "progress now; the next step may take up to this long". The agent loop calls it before
/// each model call and each tool call, and `tick()` after, so a 10-minute `bash` is not a stall while a reply that
/// never gets written is caught within the dispatcher's allowance.
public final class ProgressClock: Sendable {
    private struct Entry {
        let component: String
        var last: ContinuousClock.Instant
        var allowance: Duration
    }

    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// A loop of the worker, whose work in flight must make progress within `allowance`.
    public func component(_ name: String, allowance: Duration) -> Component {
        Component(name: name, allowance: allowance, clock: self)
    }

    /// One piece of work in flight that made no progress for longer than it was allowed.
    public struct Stall: Sendable, Equatable, CustomStringConvertible {
        public let component: String
        public let silentFor: Duration
        public let allowance: Duration

        public var description: String { "\(component): no progress for \(silentFor) (allowed \(allowance))" }
    }

    /// The stalled work, oldest first; empty when every component is healthy.
    public func stalls(at now: ContinuousClock.Instant = .now) -> [Stall] {
        state.withLock { state in
            state.entries.values.filter { now - $0.last > $0.allowance }.sorted { $0.last < $1.last }
                .map { Stall(component: $0.component, silentFor: now - $0.last, allowance: $0.allowance) }
        }
    }

    /// A loop of the worker.
    public struct Component: Sendable {
        public let name: String
        /// How long its work may go without progress, unless a step allows more.
        public let allowance: Duration
        let clock: ProgressClock

        /// Runs `body` as one piece of work in flight, from now until it returns; `ProgressClock.Work.current` is
        /// its handle inside.
        public func withWork<T>(
            isolation: isolated (any Actor)? = #isolation, _ body: (Work) async throws -> T
        ) async rethrows -> T {
            let work = clock.begin(component: name, allowance: allowance)
            defer { clock.end(work.id) }
            return try await Work.$current.withValue(work) { try await body(work) }
        }
    }

    /// The handle of one piece of work in flight.
    public struct Work: Sendable {
        /// The work the current task does, when it runs inside `Component.withWork`.
        @TaskLocal public static var current: Work?

        let id: UInt64
        let clock: ProgressClock
        /// The component's allowance.
        public let allowance: Duration

        /// Progress: the next step has the component's allowance.
        public func tick() {
            clock.progress(id, allowance: allowance)
        }

        /// Progress, and the next step may take up to `duration` (a model call, a tool call with its timeout).
        public func step(allowing duration: Duration) {
            clock.progress(id, allowance: max(duration, allowance))
        }
    }

    private func begin(component: String, allowance: Duration) -> Work {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            state.entries[state.nextID] = Entry(component: component, last: .now, allowance: allowance)
            return state.nextID
        }
        return Work(id: id, clock: self, allowance: allowance)
    }

    private func progress(_ id: UInt64, allowance: Duration) {
        state.withLock { state in
            state.entries[id]?.last = .now
            state.entries[id]?.allowance = allowance
        }
    }

    private func end(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }
}
