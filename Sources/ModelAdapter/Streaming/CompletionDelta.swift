/// A piece of a streamed answer, as it arrives.
public enum CompletionDelta: Sendable, Equatable {
    /// More text of the answer, to append to what came before.
    case text(String)
    /// The answer started the tool call at `index` (0-based), named `name`; its arguments follow but are not
    /// handed out piece by piece (the whole call is in the final `CompletionResponse`).
    case toolCall(index: Int, name: String)
}
