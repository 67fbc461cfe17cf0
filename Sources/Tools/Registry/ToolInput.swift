import Events

/// The typed arguments of a tool: decoded from the model's JSON, and the source of the JSON Schema sent to it.
///
/// The names, types and required-ness of the arguments come from the type's own `Decodable` conformance (an
/// optional property is an optional argument); `field(_:limits:)` adds what the model reads about each one. Its
/// switch over `CodingKeys` is exhaustive, so an argument cannot exist without a description. Only `String`,
/// `Bool` and integer properties are supported.
public protocol ToolInput: Decodable, Sendable {
    associatedtype CodingKeys: CodingKey, CaseIterable, RawRepresentable where CodingKeys.RawValue == String
    /// What the model is told about one argument: its meaning, its default and its bounds.
    static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField
}

/// What the model is told about one argument of a tool, besides its name and type.
public struct ToolField: Sendable, Equatable {
    public var description: String
    /// The value used when the argument is left out (shown to the model; the tool applies it).
    public var defaultValue: JSONValue?
    public var minimum: Int?
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
