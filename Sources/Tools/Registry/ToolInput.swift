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
