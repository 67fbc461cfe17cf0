/// A function the model may call: its name (`a-zA-Z0-9_-`, at most 64), what it does, and its input as a JSONValue Schema.
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    /// A JSONValue Schema object (`{"type": "object", "properties": {...}, "required": [...]}`).
    public var parameters: JSONValue
    /// Asks the provider to hold the arguments to the schema exactly (`strict`); `nil` leaves it unset.
    public var strict: Bool?

    public init(name: String, description: String, parameters: JSONValue, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }
}
