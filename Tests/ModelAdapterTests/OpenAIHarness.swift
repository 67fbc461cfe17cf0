import Foundation
import HTTPSupport
import ModelAdapter
import TestSupport

/// An OpenAI double and an adapter pointed at it, with a key that must never show up in any text.
struct OpenAIHarness {
    static let apiKey = "sk-test-SECRETKEY-0123456789abcdefghij"

    let double: OpenAIDouble
    let client: OpenAIChatClient

    init(requestTimeout: Duration = .seconds(5), serverKey: String? = Self.apiKey) throws {
        double = try OpenAIDouble(apiKey: serverKey)
        client = OpenAIChatClient(
            configuration: OpenAIConfiguration(apiKey: Self.apiKey, baseURL: URL(string: double.baseURL)!, requestTimeout: requestTimeout))
    }

    /// A client of its own (new connections).
    func freshClient() -> OpenAIChatClient { OpenAIChatClient(configuration: client.configuration, transport: HTTPTransport()) }

    /// Runs `body` and returns the `ModelError` it throws, or `nil` when it succeeds.
    func error<T>(_ body: () async throws(ModelError) -> T) async -> ModelError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    static let tools = [
        ToolDefinition(
            name: "read", description: "Read a file of the workspace.",
            parameters: [
                "type": "object", "properties": ["path": ["type": "string"], "offset": ["type": "integer", "minimum": 1]],
                "required": ["path"], "additionalProperties": false,
            ]),
        ToolDefinition(
            name: "ls", description: "List a folder.", parameters: ["type": "object", "properties": ["path": ["type": "string"]]]),
    ]

    static func request(_ messages: [ChatMessage], tools: [ToolDefinition] = []) -> CompletionRequest {
        CompletionRequest(model: "gpt-4o-mini", messages: messages, tools: tools, maxOutputTokens: 1000)
    }
}
