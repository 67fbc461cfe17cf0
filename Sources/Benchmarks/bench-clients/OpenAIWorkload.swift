import Events
import ModelAdapter

/// The chat-completions request of the benchmark: a system prompt, a short history with one tool call, two tools.
enum OpenAIWorkload {
    static let request = CompletionRequest(
        model: "gpt-4o-mini",
        messages: [
            .system("You are a careful assistant with tools."), .user("What is in README.md?"),
            .assistant(nil, toolCalls: [ToolCall(id: "call_1", name: "read", arguments: #"{"path":"README.md"}"#)]),
            .tool(callID: "call_1", content: "A self-hosted agent."), .user("Summarise it."),
        ],
        tools: [
            ToolDefinition(
                name: "read", description: "Read a file.",
                parameters: ["type": "object", "properties": ["path": ["type": "string"]], "required": ["path"]]),
            ToolDefinition(
                name: "ls", description: "List a folder.", parameters: ["type": "object", "properties": ["path": ["type": "string"]]]),
        ],
        maxOutputTokens: 500)

    /// The same request as JSON text, for the raw socket.
    static let body: String = {
        let read: JSONValue = [
            "type": "function",
            "function": [
                "name": "read", "description": "Read a file.",
                "parameters": ["type": "object", "properties": ["path": ["type": "string"]], "required": ["path"]],
            ],
        ]
        let ls: JSONValue = [
            "type": "function",
            "function": [
                "name": "ls", "description": "List a folder.",
                "parameters": ["type": "object", "properties": ["path": ["type": "string"]]],
            ],
        ]
        let body: JSONValue = [
            "model": "gpt-4o-mini", "max_completion_tokens": 500, "tools": [read, ls],
            "messages": [
                ["role": "system", "content": "You are a careful assistant with tools."],
                ["role": "user", "content": "What is in README.md?"],
                [
                    "role": "assistant", "content": nil,
                    "tool_calls": [
                        ["id": "call_1", "type": "function", "function": ["name": "read", "arguments": #"{"path":"README.md"}"#]]
                    ],
                ],
                ["role": "tool", "tool_call_id": "call_1", "content": "A self-hosted agent."],
                ["role": "user", "content": "Summarise it."],
            ],
        ]
        return body.serialized
    }()
}
