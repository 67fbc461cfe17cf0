import Events

/// A tool call in a scripted answer. Without an `id` the double makes one (`call_...`), unless `omitsID` reproduces
/// servers that send none; `arguments` is normally JSON text (an object reproduces servers that send it unencoded).
public struct OpenAIToolCall: Sendable, Equatable {
    public var id: String?
    public var omitsID = false
    public var name: String
    public var arguments: JSONValue

    public init(id: String? = nil, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = .string(arguments)
    }

    public init(id: String? = nil, name: String, argumentsObject: JSONValue) {
        self.id = id
        self.name = name
        self.arguments = argumentsObject
    }

    /// A call sent without an `id` field.
    public static func withoutID(name: String, arguments: String) -> OpenAIToolCall {
        var call = OpenAIToolCall(name: name, arguments: arguments)
        call.omitsID = true
        return call
    }
}
