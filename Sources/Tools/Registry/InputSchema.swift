import Events
import Foundation

/// The JSON Schema of a tool's input, generated from its `ToolInput` type, and the check of the model's
/// arguments against it.
///
/// The schema is an object with `properties`, `required` and `"additionalProperties": false`, usable as an
/// OpenAI function's `parameters`. The check refuses unknown keys, wrong types, missing required arguments and
/// numbers out of bounds, each with a message that names the argument and what it must be. A `null` given for
/// an optional argument counts as leaving it out.
public struct InputSchema: Sendable, Equatable {
    /// The JSON types an argument can have.
    public enum ValueType: String, Sendable, Equatable {
        case string, integer, number, boolean
    }

    /// One argument: its name, type, whether it is required, and what the model is told about it.
    public struct Property: Sendable, Equatable {
        public let name: String
        public let type: ValueType
        public let required: Bool
        public let field: ToolField
    }

    /// The tool the schema belongs to, named in messages.
    public let tool: String
    /// The arguments in the order of the input's `CodingKeys`.
    public let properties: [Property]

    /// The schema of `input`, with the descriptions and bounds `limits` gives.
    public init<Input: ToolInput>(tool: String, input: Input.Type, limits: ToolLimits) {
        let arguments = SchemaProbe.arguments(of: input)
        self.tool = tool
        self.properties = Input.CodingKeys.allCases.map { key in
            guard let argument = arguments[key.rawValue] else {
                preconditionFailure("\(Input.self).\(key.rawValue) is never decoded")
            }
            return Property(name: argument.name, type: argument.type, required: argument.required, field: Input.field(key, limits: limits))
        }
    }

    /// The JSON Schema, as sent to the model.
    public var json: JSONValue {
        var members: JSONObject = [:]
        for property in properties {
            var schema: JSONObject = ["type": .string(property.type.rawValue), "description": .string(property.field.description)]
            if let value = property.field.defaultValue { schema["default"] = value }
            if let minimum = property.field.minimum { schema["minimum"] = JSONValue(minimum) }
            if let maximum = property.field.maximum { schema["maximum"] = JSONValue(maximum) }
            members[property.name] = .object(schema)
        }
        return [
            "type": "object",
            "properties": .object(members),
            "required": .array(properties.filter(\.required).map { .string($0.name) }),
            "additionalProperties": false,
        ]
    }

    /// Checks `arguments` and returns them cleaned: `null`s of optional arguments removed, integral numbers as
    /// integers.
    ///
    /// - Throws: `ToolsError` `.invalidArguments` naming the first problem and how to fix it.
    public func validate(_ arguments: JSONValue) throws(ToolsError) -> JSONObject {
        guard let object = arguments.objectValue else {
            throw invalid("the arguments must be a JSON object, like \(example)")
        }
        let known = Dictionary(uniqueKeysWithValues: properties.map { ($0.name, $0) })
        for key in object.keys.sorted() where known[key] == nil {
            throw invalid("unknown argument \"\(key)\"; \(tool) accepts \(summary)")
        }
        var cleaned: JSONObject = [:]
        for property in properties {
            let value = object[property.name] ?? .null
            if value == .null {
                if property.required {
                    throw invalid(
                        "missing required argument \"\(property.name)\" (\(property.type.rawValue)): \(property.field.description)")
                }
                continue
            }
            cleaned[property.name] = try check(value, against: property)
        }
        return cleaned
    }

    private func check(_ value: JSONValue, against property: Property) throws(ToolsError) -> JSONValue {
        switch (property.type, value) {
        case (.string, .string), (.boolean, .bool), (.number, .int), (.number, .double):
            return value
        case (.integer, .int(let number)):
            try checkBounds(number, of: property)
            return value
        case (.integer, .double(let number)) where number.rounded() == number && abs(number) < 1e15:
            try checkBounds(Int64(number), of: property)
            return .int(Int64(number))
        default:
            throw invalid("argument \"\(property.name)\" must be \(article(property.type)), not \(describe(value))")
        }
    }

    private func checkBounds(_ number: Int64, of property: Property) throws(ToolsError) {
        if let minimum = property.field.minimum, number < minimum {
            throw invalid("argument \"\(property.name)\" must be at least \(minimum), got \(number)")
        }
        if let maximum = property.field.maximum, number > maximum {
            throw invalid("argument \"\(property.name)\" must be at most \(maximum), got \(number)")
        }
    }

    private func invalid(_ message: String) -> ToolsError {
        ToolsError(.invalidArguments, "\(tool): \(message)")
    }

    /// `path (string, required), offset (integer), ...`
    var summary: String {
        properties.map { "\($0.name) (\($0.type.rawValue)\($0.required ? ", required" : ""))" }.joined(separator: ", ")
    }

    /// A minimal valid-looking call, for messages: `{"path": "..."}`.
    var example: String {
        let required = properties.filter(\.required)
        let parts = required.map { property -> String in
            let sample =
                switch property.type {
                case .string: "\"...\""
                case .integer, .number: "1"
                case .boolean: "true"
                }
            return "\"\(property.name)\": \(sample)"
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    private func article(_ type: ValueType) -> String {
        type == .integer ? "an integer" : "a \(type.rawValue)"
    }

    private func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): "the boolean \(flag)"
        case .int(let number): "the number \(number)"
        case .double(let number): "the number \(number)"
        case .string(let text): "a string (\(JSONValue.string(String(text.prefix(40))).serialized))"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
