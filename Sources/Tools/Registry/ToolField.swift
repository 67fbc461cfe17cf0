import Events

/// What the model is told about one argument of a tool, besides its name and type.
public struct ToolField: Sendable, Equatable {
    /// What the argument means, as the model reads it.
    public var description: String
    /// The value used when the argument is left out (shown to the model; the tool applies it).
    public var defaultValue: JSONValue?
    /// The smallest integer accepted.
    public var minimum: Int?
    /// The largest integer accepted.
    public var maximum: Int?

    public init(_ description: String, default defaultValue: JSONValue? = nil, minimum: Int? = nil, maximum: Int? = nil) {
        self.description = description
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
    }

    /// A flag, off unless given.
    public static func flag(_ description: String) -> ToolField {
        ToolField(description, default: false)
    }
}
