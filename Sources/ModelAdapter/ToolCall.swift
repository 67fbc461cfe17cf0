/// A call of a tool that the model asked for.
public struct ToolCall: Sendable, Equatable, Hashable {
    /// The provider's id, or a stable one made by the adapter when the provider gave none.
    public var id: String
    public var name: String
    /// The arguments as JSONValue text, exactly as the model wrote them (which may not be valid JSONValue).
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// The arguments parsed, or `nil` when the model wrote something that is not JSONValue.
    public var parsedArguments: JSONValue? { (try? JSONValue(parsing: arguments)) }
}
