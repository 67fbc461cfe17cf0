import Events

/// A tool as the model sees it: name, description and the JSON Schema of its arguments.
public struct ToolDefinition: Sendable, Equatable {
    public let name: String
    public let description: String
    public let tier: ToolTier
    /// The JSON Schema of the arguments, usable as an OpenAI function's `parameters`.
    public let parameters: JSONValue

    public init(name: String, description: String, tier: ToolTier, parameters: JSONValue) {
        self.name = name
        self.description = description
        self.tier = tier
        self.parameters = parameters
    }

    /// `{"type": "function", "function": {"name", "description", "parameters"}}`, the shape of an OpenAI tool.
    public var openAIFunction: JSONValue {
        [
            "type": "function",
            "function": ["name": .string(name), "description": .string(description), "parameters": parameters],
        ]
    }
}
