import Control
import Tools

/// What the loop tells the watchdog (`ProgressClock.Work.current`, set by the dispatcher for each update): a step
/// starts and may take this long, or a step is done.
extension AgentLoop {
    /// The margin on top of a step's own bound: a slow disk, a busy database, a loaded machine.
    static let stepMargin = Duration.seconds(30)

    /// Before a model call: it may take what is left of the run's wall time (the run's deadline then cancels it, and
    /// every wait ends on cancellation), however many retries and `Retry-After` waits it holds.
    func reportModelCallStarting(_ run: Run, state: State) {
        ProgressClock.Work.current?.step(allowing: wallTimeLeft(run, state: state) + Self.stepMargin)
    }

    /// Before a tool call: at most the longest command timeout (a `bash` is killed past it), and never past the run's
    /// wall time.
    func reportToolCallStarting(_ run: Run, state: State) {
        let longestCall = Duration.seconds(registry.policy.limits.bashMaximumTimeout)
        ProgressClock.Work.current?.step(allowing: min(longestCall, wallTimeLeft(run, state: state)) + Self.stepMargin)
    }

    /// After a model or tool call: back to the dispatcher's allowance.
    func reportStepDone() {
        ProgressClock.Work.current?.tick()
    }

    private func wallTimeLeft(_ run: Run, state: State) -> Duration {
        max(.zero, state.budget.limits.maxWall - (.now - run.startedAt))
    }
}
