import Events

/// A tool with its input type erased: what the registry holds.
public struct AnyTool: Sendable {
    public let name: String
    public let description: String
    public let tier: ToolTier
    public let schema: InputSchema
    private let invoke: @Sendable (JSONObject, ToolContext) async throws(ToolsError) -> ToolEnvelope

    /// Wraps `tool`; its schema is generated with `limits`.
    public init<T: Tool>(_ tool: T, limits: ToolLimits) {
        name = tool.name
        description = tool.description
        tier = tool.tier
        schema = InputSchema(tool: tool.name, input: T.Input.self, limits: limits)
        let name = tool.name
        invoke = { arguments, context throws(ToolsError) in
            let input: T.Input
            do {
                input = try T.Input(from: JSONValueDecoder(object: arguments))
            } catch {
                throw ToolsError(.invalidArguments, "\(name): the arguments do not fit the input: \(error)")
            }
            return try await tool.run(input, context: context)
        }
    }

    /// Checks `arguments` against the schema, decodes them and runs the tool.
    public func run(_ arguments: JSONValue, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        try await invoke(try schema.validate(arguments), context)
    }

    /// What the model is sent about this tool.
    public var definition: ToolDefinition {
        ToolDefinition(name: name, description: description, tier: tier, parameters: schema.json)
    }
}
