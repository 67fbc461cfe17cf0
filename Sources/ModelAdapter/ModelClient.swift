/// A chat model behind a provider's API. `OpenAIChatClient` is the real one; tests point it at `OpenAIDouble`.
///
/// One call, no retries: the caller (`Control`) retries what `ModelError.isRetryable` allows, honouring
/// `retryAfter`.
public protocol ModelClient: Sendable {
    /// Sends the conversation and returns the model's answer.
    /// - Throws: `ModelError`, classified; its texts never hold the API key.
    func complete(_ request: CompletionRequest) async throws(ModelError) -> CompletionResponse

    /// Sends the conversation asking for a streamed answer, hands each piece to `onDelta` as it arrives, and returns
    /// the whole answer, the same as `complete` would (with `streamed` and `firstTokenLatency`).
    ///
    /// `onDelta` is called in order, from one thread at a time, and must return quickly. A failure after some pieces
    /// were delivered carries their text in `ModelError.receivedText`. The default streams nothing: it is
    /// `complete`.
    /// - Throws: `ModelError`, classified as for `complete`.
    func stream(_ request: CompletionRequest, onDelta: @escaping @Sendable (CompletionDelta) -> Void) async throws(ModelError)
        -> CompletionResponse
}

extension ModelClient {
    public func stream(_ request: CompletionRequest, onDelta: @escaping @Sendable (CompletionDelta) -> Void) async throws(ModelError)
        -> CompletionResponse
    {
        try await complete(request)
    }
}
