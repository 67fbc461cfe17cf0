import Control

/// How an agent run ended, when it ended by itself rather than by an error.
public enum RunEnding: Sendable {
    /// The first answer without tool calls: its text (`nil` when it had none).
    case answered(String?)
    /// A limit of SPEC section 8 was reached before the next step; the pending tool calls were not run.
    case limitReached(LimitReached)
    /// The run went round in circles (`progress.stalled`).
    case stalled(ProgressDetector.Stalled)
}
