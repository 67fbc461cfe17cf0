/// The `usage` of a scripted answer.
public enum OpenAIUsage: Sendable, Equatable {
    /// Counts made up from the sizes of the request and the answer (about 4 characters a token).
    case automatic
    /// No `usage` in the answer, as some servers do.
    case omitted
    /// These counts.
    case exact(prompt: Int, completion: Int, cached: Int)
}
