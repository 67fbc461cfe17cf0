import Foundation
import HTTPSupport

/// The chat-completions API of OpenAI and of every server compatible with it (`OPENAI_BASE_URL`).
///
/// One HTTP call per `complete` or `stream`, with a real deadline, no retries and no logging. Tolerates the usual
/// quirks of compatible servers: `finish_reason: stop` with tool calls, tool calls without ids (stable ids are
/// made), arguments given as an object, integer error codes, an error body with status 200, a missing `usage`,
/// and a server that answers a streamed request with one JSON body.
public struct OpenAIChatClient: ModelClient {
    public let configuration: OpenAIConfiguration
    let transport: HTTPTransport
    private let endpoint: String

    /// A client on `transport` (by default the process's shared one, whose connections are kept alive).
    public init(configuration: OpenAIConfiguration, transport: HTTPTransport = .shared) {
        self.configuration = configuration
        self.transport = transport
        self.endpoint = configuration.baseURL.appendingPathComponent("chat").appendingPathComponent("completions").absoluteString
    }

    /// The server's name, for error texts.
    var host: String { configuration.baseURL.host ?? "the model server" }

    /// A POST of `body` to the chat-completions endpoint, with the key.
    func httpRequest(body: JSONValue, accept: String) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: endpoint,
            headers: [
                ("Content-Type", "application/json"), ("Accept", accept), ("Authorization", "Bearer \(configuration.apiKey)"),
            ],
            body: Array(body.serialized.utf8))
    }

    public func complete(_ request: CompletionRequest) async throws(ModelError) -> CompletionResponse {
        let httpRequest = httpRequest(body: Self.body(for: request), accept: "application/json")
        let clock = ContinuousClock()
        let start = clock.now
        let host = self.host
        switch await transport.perform(httpRequest, deadline: configuration.requestTimeout) {
        case .timedOut:
            throw ModelError(.timeout, "model call to \(host) got no answer within \(configuration.requestTimeout)")
        case .cancelled:
            throw ModelError(.cancelled, "model call to \(host) was cancelled")
        case .failed(let failure):
            throw ModelError(.connection, "model call to \(host) failed: \(failure)", transportCode: failure.code)
        case .response(let status, let headers, let body):
            return try OpenAIResponseReader(apiKey: configuration.apiKey, host: host).read(
                status: status, headers: headers, body: body, latency: clock.now - start, requestedModel: request.model)
        }
    }

    /// The request body of the chat-completions API; a streamed one asks for the usage chunk at its end.
    static func body(for request: CompletionRequest, streaming: Bool = false) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "messages": .array(request.messages.map(message)),
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(tool))
            if let parallel = request.parallelToolCalls { body["parallel_tool_calls"] = .bool(parallel) }
        }
        switch request.toolChoice {
        case nil: break
        case .auto: body["tool_choice"] = "auto"
        case .disabled: body["tool_choice"] = "none"
        case .required: body["tool_choice"] = "required"
        case .function(let name): body["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
        }
        if let limit = request.maxOutputTokens { body["max_completion_tokens"] = .int(Int64(limit)) }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if streaming {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return .object(body)
    }

    private static func message(_ message: ChatMessage) -> JSONValue {
        switch message {
        case .system(let text): return ["role": "system", "content": .string(text)]
        case .user(let text): return ["role": "user", "content": .string(text)]
        case .tool(let callID, let content): return ["role": "tool", "tool_call_id": .string(callID), "content": .string(content)]
        case .assistant(let text, let calls):
            var object: [String: JSONValue] = ["role": "assistant", "content": text.map(JSONValue.string) ?? .null]
            if !calls.isEmpty {
                object["tool_calls"] = .array(
                    calls.map { call in
                        [
                            "id": .string(call.id), "type": "function",
                            "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
                        ]
                    })
            }
            return .object(object)
        }
    }

    private static func tool(_ tool: ToolDefinition) -> JSONValue {
        var function: [String: JSONValue] = [
            "name": .string(tool.name), "description": .string(tool.description), "parameters": tool.parameters,
        ]
        if let strict = tool.strict { function["strict"] = .bool(strict) }
        return ["type": "function", "function": .object(function)]
    }
}
