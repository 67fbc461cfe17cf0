import Foundation
import HTTPSupport

extension OpenAIChatClient {
    /// A streamed call: `stream: true` with `stream_options.include_usage`, the server-sent events parsed as they
    /// arrive, each text delta handed to `onDelta` at once.
    ///
    /// Classified as the unstreamed call: an HTTP error before the stream by its status and body, an error object
    /// inside the stream by its code (as an error body with status 200), a connection cut or a stream that ends
    /// before `[DONE]` or a finish reason as `connection` (retryable), carrying the text received so far. A server
    /// that ignores `stream` and answers one JSON body is read as the unstreamed call (`streamed: false`).
    /// `requestTimeout` here bounds the wait for the answer to begin and every silence inside it, not the whole
    /// stream.
    public func stream(_ request: CompletionRequest, onDelta: @escaping @Sendable (CompletionDelta) -> Void) async throws(ModelError)
        -> CompletionResponse
    {
        let httpRequest = httpRequest(body: Self.body(for: request, streaming: true), accept: "text/event-stream")
        let reading = OpenAIStreamReading(reader: OpenAIResponseReader(apiKey: configuration.apiKey, host: host), onDelta: onDelta)
        let outcome = await transport.stream(
            httpRequest, idleTimeout: configuration.requestTimeout,
            receiver: HTTPTransport.Receiver(head: reading.head, bytes: reading.bytes))
        return try reading.finish(outcome, requestedModel: request.model, idleTimeout: configuration.requestTimeout)
    }
}
