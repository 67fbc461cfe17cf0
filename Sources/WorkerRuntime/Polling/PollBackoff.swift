/// The wait after a failed poll: 1 s, doubling to 30 s, back to 1 s after the next good poll (SPEC section 4).
struct PollBackoff {
    let initial: Duration
    let maximum: Duration
    private(set) var next: Duration

    init(initial: Duration = .seconds(1), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
        self.next = initial
    }

    /// The wait for this failure; the following one waits twice as long, up to the maximum.
    mutating func failure() -> Duration {
        defer { next = min(next * 2, maximum) }
        return next
    }

    mutating func reset() {
        next = initial
    }
}
