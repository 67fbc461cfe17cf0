import Foundation
import Events

/// Checks JSON values against the JSON Schema dialect of an OpenAPI 3.1 document.
///
/// Keywords: `$ref` (to `#/...` in the same document), `type` (one or a list), `nullable`, `enum`, `const`,
/// `properties`, `required`, `additionalProperties`, `items`, `minItems`, `maxItems`, `minLength`, `maxLength`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `allOf`, `anyOf`, `oneOf`. Annotations
/// (`description`, `discriminator`, `x-*`...) are ignored, as the standard says.
struct JSONSchemaValidator: Sendable {
    /// The whole document, for `$ref`.
    let document: JSONValue

    /// Every problem of `value` against `schema`, as (path, problem); empty when valid.
    func problems(_ value: JSONValue, schema: JSONValue, path: String = "") -> [(String, String)] {
        var found: [(String, String)] = []
        check(value, schema, path, &found)
        return found
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, _ path: String, _ found: inout [(String, String)]) {
        guard case .object(let keywords) = schema else {
            if schema == .bool(false) { found.append((path, "is not allowed")) }
            return
        }
        if keywords["nullable"] == .bool(true) && value == .null { return }
        if let reference = keywords["$ref"]?.stringValue {
            guard let target = resolve(reference) else { return found.append((path, "has an unresolvable $ref \(reference)")) }
            check(value, target, path, &found)
        }
        if let type = keywords["type"], !matches(value, type: type) {
            return found.append((path, "is \(kind(of: value)), expected \(type.stringValue ?? type.serialized)"))
        }
        if let choices = keywords["enum"]?.arrayValue, !choices.contains(where: { equal($0, value) }) {
            found.append((path, "\(value.serialized) is not one of \(JSONValue.array(choices).serialized)"))
        }
        if let constant = keywords["const"], !equal(constant, value) {
            found.append((path, "must be \(constant.serialized)"))
        }
        switch value {
        case .object(let members): checkObject(members, keywords, path, &found)
        case .array(let items): checkArray(items, keywords, path, &found)
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minimum = keywords["minLength"]?.int64Value, length < minimum { found.append((path, "is shorter than \(minimum)")) }
            if let maximum = keywords["maxLength"]?.int64Value, length > maximum { found.append((path, "is longer than \(maximum)")) }
        case .int, .double: checkNumber(value.doubleValue ?? 0, keywords, path, &found)
        default: break
        }
        for part in keywords["allOf"]?.arrayValue ?? [] { check(value, part, path, &found) }
        if let alternatives = keywords["anyOf"]?.arrayValue {
            let results = alternatives.map { problems(value, schema: $0, path: path) }
            if !results.contains(where: \.isEmpty) { found += closest(results, path: path, what: "anyOf") }
        }
        if let alternatives = keywords["oneOf"]?.arrayValue {
            let results = alternatives.map { problems(value, schema: $0, path: path) }
            let matching = results.filter(\.isEmpty).count
            if matching == 0 { found += closest(results, path: path, what: "oneOf") }
            if matching > 1 { found.append((path, "matches \(matching) alternatives of a oneOf, exactly one allowed")) }
        }
    }

    private func checkObject(_ members: [String: JSONValue], _ keywords: [String: JSONValue], _ path: String, _ found: inout [(String, String)]) {
        let properties = keywords["properties"]?.objectValue ?? [:]
        for name in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            found.append((join(path, name), "required property is missing"))
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            if let property = properties[name] {
                check(member, property, join(path, name), &found)
            } else if let additional = keywords["additionalProperties"] {
                if additional == .bool(false) {
                    found.append((join(path, name), "is not a known property"))
                } else if additional.objectValue != nil {
                    check(member, additional, join(path, name), &found)
                }
            }
        }
    }

    private func checkArray(_ items: [JSONValue], _ keywords: [String: JSONValue], _ path: String, _ found: inout [(String, String)]) {
        if let minimum = keywords["minItems"]?.int64Value, items.count < minimum { found.append((path, "has fewer than \(minimum) items")) }
        if let maximum = keywords["maxItems"]?.int64Value, items.count > maximum { found.append((path, "has more than \(maximum) items")) }
        if let schema = keywords["items"] {
            for (index, item) in items.enumerated() { check(item, schema, "\(path)[\(index)]", &found) }
        }
    }

    private func checkNumber(_ number: Double, _ keywords: [String: JSONValue], _ path: String, _ found: inout [(String, String)]) {
        if let minimum = keywords["minimum"]?.doubleValue, number < minimum { found.append((path, "is less than \(minimum)")) }
        if let maximum = keywords["maximum"]?.doubleValue, number > maximum { found.append((path, "is more than \(maximum)")) }
        if let minimum = keywords["exclusiveMinimum"]?.doubleValue, number <= minimum { found.append((path, "is not more than \(minimum)")) }
        if let maximum = keywords["exclusiveMaximum"]?.doubleValue, number >= maximum { found.append((path, "is not less than \(maximum)")) }
    }

    /// The problems of the alternative that came closest, so that the report says what to fix.
    private func closest(_ results: [[(String, String)]], path: String, what: String) -> [(String, String)] {
        guard let best = results.min(by: { $0.count < $1.count }) else { return [] }
        return [(path, "matches none of the \(results.count) alternatives of \(what)")] + best
    }

    private func matches(_ value: JSONValue, type: JSONValue) -> Bool {
        if let names = type.arrayValue { return names.contains { matches(value, type: $0) } }
        switch (type.stringValue, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("number", .int), ("number", .double), ("integer", .int): return true
        case ("integer", .double(let number)): return number == number.rounded()
        default: return false
        }
    }

    private func kind(of value: JSONValue) -> String {
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
    private func equal(_ left: JSONValue, _ right: JSONValue) -> Bool {
        if let a = left.doubleValue, let b = right.doubleValue { return a == b }
        return left == right
    }

    /// The schema a `#/a/b/c` reference points at.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node = document
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node[key] else { return nil }
            node = next
        }
        return node
    }

    private func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
}
