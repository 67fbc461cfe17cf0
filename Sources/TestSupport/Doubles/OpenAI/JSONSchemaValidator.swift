import Events
import Foundation

/// Checks JSON values against the JSON Schema dialect of an OpenAPI 3.1 document, compiled once into a graph of
/// nodes (references resolved) so that a check costs microseconds.
///
/// Keywords: `$ref` (to `#/components/schemas/...`), `type` (one or a list), `nullable`, `enum`, `const`,
/// `properties`, `required`, `additionalProperties`, `items`, `minItems`, `maxItems`, `minLength`, `maxLength`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `allOf`, `anyOf`, `oneOf`. Annotations
/// (`description`, `discriminator`, `x-*`...) are ignored, as the standard says.
struct JSONSchemaValidator: Sendable {
    private let root: Node

    /// Compiles `schema`; `schemas` holds what its references (`#/components/schemas/<name>`) point at.
    init(schema: JSONValue, schemas: [String: JSONValue]) {
        var compiler = Compiler(schemas: schemas)
        root = compiler.compile(schema)
    }

    /// Every problem of `value`, as (path, problem); empty when valid.
    func problems(_ value: JSONValue) -> [(String, String)] {
        var found: [(String, String)] = []
        root.check(value, "", &found)
        return found
    }

    /// One compiled schema. Built by `Compiler` (references may point back at a node being built, so the fields
    /// are set after creation) and never changed afterwards.
    final class Node: @unchecked Sendable {
        // Immutable once `Compiler.compile` returns: only read from then on, from any thread.
        var reference: Node?
        var types: [String]?
        var nullable = false
        var choices: [JSONValue]?
        var constant: JSONValue?
        var properties: [String: Node] = [:]
        var required: [String] = []
        /// `nil`: any extra property; `.some(nil)`: none; `.some(node)`: each must match `node`.
        var additional: Node??
        var items: Node?
        var minItems: Int?
        var maxItems: Int?
        var minLength: Int?
        var maxLength: Int?
        var minimum: Double?
        var maximum: Double?
        var exclusiveMinimum: Double?
        var exclusiveMaximum: Double?
        var allOf: [Node] = []
        var anyOf: [Node] = []
        var oneOf: [Node] = []
        /// `false` schemas refuse everything.
        var refusesAll = false

        /// Whether `value` matches, stopping at the first problem.
        func accepts(_ value: JSONValue) -> Bool {
            var found: [(String, String)]? = nil
            return validate(value, "", &found)
        }

        /// Appends every problem of `value` to `found`.
        func check(_ value: JSONValue, _ path: String, _ found: inout [(String, String)]) {
            var collector: [(String, String)]? = found
            _ = validate(value, path, &collector)
            found = collector ?? found
        }

        /// Validates; with `found` `nil` it returns at the first problem without describing it.
        private func validate(_ value: JSONValue, _ path: String, _ found: inout [(String, String)]?) -> Bool {
            var valid = true
            func fail(_ problem: @autoclosure () -> String, _ at: String? = nil) -> Bool {
                valid = false
                guard found != nil else { return false }
                found!.append((at ?? path, problem()))
                return true
            }
            if refusesAll { return fail("is not allowed") }
            if nullable && value == .null { return true }
            if let reference, !reference.validate(value, path, &found) {
                valid = false
                if found == nil { return false }
            }
            if let types, !types.contains(where: { Self.matches(value, $0) }) {
                _ = fail("is \(Self.kind(of: value)), expected \(types.joined(separator: " or "))")
                return false
            }
            if let choices, !choices.contains(where: { Self.equal($0, value) }) {
                guard fail("\(value.serialized) is not one of \(JSONValue.array(choices).serialized)") else { return false }
            }
            if let constant, !Self.equal(constant, value) {
                guard fail("must be \(constant.serialized)") else { return false }
            }
            switch value {
            case .object(let members):
                for name in required where members[name] == nil {
                    guard fail("required property is missing", Self.join(path, name)) else { return false }
                }
                for (name, member) in members {
                    if let property = properties[name] {
                        if !property.validate(member, found == nil ? "" : Self.join(path, name), &found) {
                            valid = false
                            if found == nil { return false }
                        }
                    } else if case .some(let rule) = additional {
                        if let rule {
                            if !rule.validate(member, found == nil ? "" : Self.join(path, name), &found) {
                                valid = false
                                if found == nil { return false }
                            }
                        } else {
                            guard fail("is not a known property", Self.join(path, name)) else { return false }
                        }
                    }
                }
            case .array(let elements):
                if let minItems, elements.count < minItems { guard fail("has fewer than \(minItems) items") else { return false } }
                if let maxItems, elements.count > maxItems { guard fail("has more than \(maxItems) items") else { return false } }
                if let items {
                    for (index, element) in elements.enumerated()
                    where !items.validate(element, found == nil ? "" : "\(path)[\(index)]", &found) {
                        valid = false
                        if found == nil { return false }
                    }
                }
            case .string(let text):
                if minLength != nil || maxLength != nil {
                    let length = text.unicodeScalars.count
                    if let minLength, length < minLength { guard fail("is shorter than \(minLength)") else { return false } }
                    if let maxLength, length > maxLength { guard fail("is longer than \(maxLength)") else { return false } }
                }
            case .int, .double:
                let number = value.doubleValue ?? 0
                if let minimum, number < minimum { guard fail("is less than \(minimum)") else { return false } }
                if let maximum, number > maximum { guard fail("is more than \(maximum)") else { return false } }
                if let exclusiveMinimum, number <= exclusiveMinimum {
                    guard fail("is not more than \(exclusiveMinimum)") else { return false }
                }
                if let exclusiveMaximum, number >= exclusiveMaximum {
                    guard fail("is not less than \(exclusiveMaximum)") else { return false }
                }
            default: break
            }
            for part in allOf where !part.validate(value, path, &found) {
                valid = false
                if found == nil { return false }
            }
            if !anyOf.isEmpty && !anyOf.contains(where: { $0.accepts(value) }) {
                guard fail("matches none of the \(anyOf.count) alternatives of anyOf") else { return false }
                found! += Self.closest(anyOf, value, path)
            }
            if !oneOf.isEmpty {
                let matching = oneOf.lazy.filter { $0.accepts(value) }.prefix(2).count
                if matching == 0 {
                    guard fail("matches none of the \(oneOf.count) alternatives of oneOf") else { return false }
                    found! += Self.closest(oneOf, value, path)
                } else if matching > 1 {
                    guard fail("matches more than one alternative of a oneOf") else { return false }
                }
            }
            return valid
        }

        /// The problems of the alternative that came closest, so that the report says what to fix.
        private static func closest(_ alternatives: [Node], _ value: JSONValue, _ path: String) -> [(String, String)] {
            alternatives.map { alternative in
                var found: [(String, String)] = []
                alternative.check(value, path, &found)
                return found
            }.min { $0.count < $1.count } ?? []
        }

        private static func matches(_ value: JSONValue, _ type: String) -> Bool {
            switch (type, value) {
            case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
            case ("number", .int), ("number", .double), ("integer", .int): true
            case ("integer", .double(let number)): number == number.rounded()
            default: false
            }
        }

        private static func kind(of value: JSONValue) -> String {
            switch value {
            case .null: "null"
            case .bool: "a boolean"
            case .int: "an integer"
            case .double: "a number"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        }

        /// JSON equality, where 1 and 1.0 are the same number.
        private static func equal(_ left: JSONValue, _ right: JSONValue) -> Bool {
            if let a = left.doubleValue, let b = right.doubleValue { return a == b }
            return left == right
        }

        private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
    }

    /// Turns schema JSON into nodes, each named schema once.
    private struct Compiler {
        let schemas: [String: JSONValue]
        var named: [String: Node] = [:]

        init(schemas: [String: JSONValue]) { self.schemas = schemas }

        mutating func compile(_ schema: JSONValue) -> Node {
            let node = Node()
            guard case .object(let keywords) = schema else {
                node.refusesAll = schema == .bool(false)
                return node
            }
            if let reference = keywords["$ref"]?.stringValue {
                let name = String(reference.dropFirst("#/components/schemas/".count))
                if let known = named[name] {
                    node.reference = known
                } else if let target = schemas[name] {
                    let placeholder = Node()
                    named[name] = placeholder
                    let compiled = compile(target)
                    Self.copy(compiled, into: placeholder)
                    node.reference = placeholder
                } else {
                    node.refusesAll = true
                }
            }
            switch keywords["type"] {
            case .string(let name)?: node.types = [name]
            case .array(let names)?: node.types = names.compactMap(\.stringValue)
            default: break
            }
            node.nullable = keywords["nullable"] == .bool(true)
            node.choices = keywords["enum"]?.arrayValue
            node.constant = keywords["const"]
            for (name, property) in keywords["properties"]?.objectValue ?? [:] { node.properties[name] = compile(property) }
            node.required = keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            switch keywords["additionalProperties"] {
            case nil, .bool(true)?: node.additional = nil
            case .bool(false)?: node.additional = .some(nil)
            case let schema?: node.additional = .some(compile(schema))
            }
            node.items = keywords["items"].map { compile($0) }
            node.minItems = keywords["minItems"]?.int64Value.map(Int.init)
            node.maxItems = keywords["maxItems"]?.int64Value.map(Int.init)
            node.minLength = keywords["minLength"]?.int64Value.map(Int.init)
            node.maxLength = keywords["maxLength"]?.int64Value.map(Int.init)
            node.minimum = keywords["minimum"]?.doubleValue
            node.maximum = keywords["maximum"]?.doubleValue
            node.exclusiveMinimum = keywords["exclusiveMinimum"]?.doubleValue
            node.exclusiveMaximum = keywords["exclusiveMaximum"]?.doubleValue
            node.allOf = (keywords["allOf"]?.arrayValue ?? []).map { compile($0) }
            node.anyOf = (keywords["anyOf"]?.arrayValue ?? []).map { compile($0) }
            node.oneOf = (keywords["oneOf"]?.arrayValue ?? []).map { compile($0) }
            return node
        }

        /// Makes `target` (a placeholder others already point at) the same check as `source`.
        private static func copy(_ source: Node, into target: Node) {
            target.reference = source.reference
            target.types = source.types
            target.nullable = source.nullable
            target.choices = source.choices
            target.constant = source.constant
            target.properties = source.properties
            target.required = source.required
            target.additional = source.additional
            target.items = source.items
            target.minItems = source.minItems
            target.maxItems = source.maxItems
            target.minLength = source.minLength
            target.maxLength = source.maxLength
            target.minimum = source.minimum
            target.maximum = source.maximum
            target.exclusiveMinimum = source.exclusiveMinimum
            target.exclusiveMaximum = source.exclusiveMaximum
            target.allOf = source.allOf
            target.anyOf = source.anyOf
            target.oneOf = source.oneOf
            target.refusesAll = source.refusesAll
        }
    }
}
