/// A chat model behind a provider's API. `OpenAIChatClient` is the real one; tests point it at `OpenAIDouble`.
///
/// One call, no retries: the caller (`Control`) retries what `ModelError.isRetryable` allows, honouring
/// `retryAfter`.
public protocol ModelClient: Sendable {
    /// Sends the conversation and returns the model's answer.
    /// - Throws: `ModelError`, classified; its texts never hold the API key.
    func complete(_ request: CompletionRequest) async throws(ModelError) -> CompletionResponse
}
