import Events
import Foundation

/// The Bot API methods and types of `specs/telegram-bot-api.json`, and the checks a request must pass.
///
/// A request is checked for: the method exists; required fields are present and no unknown field is sent; each
/// value has one of the field's types, recursively through objects and arrays (a field of an abstract type such as
/// `BotCommandScope` must match one of its subtypes, whose `type` is fixed by "must be ..."); and the limits the
/// specification states in words: `text` 1-4096 UTF-16 units after entity parsing, `callback_data` 1-64 bytes,
/// command names, `parse_mode`, chat actions and `allowed_updates` values.
public final class TelegramSpecification: Sendable {
    struct Field: Sendable {
        let name: String
        let types: [String]
        let required: Bool
        /// The only value allowed, when the description says "must be X".
        let constant: String?
    }

    struct TypeSpec: Sendable {
        let fields: [Field]
        let subtypes: [String]
    }

    /// The API version the file describes (`Bot API 10.1`).
    public let version: String
    let methods: [String: [Field]]
    let types: [String: TypeSpec]
    let updateKinds: Set<String>

    static let parseModes: Set<String> = ["HTML", "MarkdownV2", "Markdown"]
    static let chatActions: Set<String> = [
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
        "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    ]

    /// The specification of the checkout, parsed once per process.
    public static func shared() throws(DoubleError) -> TelegramSpecification { try cached.get() }

    private static let cached = Result { () throws(DoubleError) -> TelegramSpecification in
        try TelegramSpecification(document: try SpecificationFiles.load("telegram-bot-api.json"))
    }

    init(document: JSONValue) throws(DoubleError) {
        guard let methodList = document["methods"]?.objectValue, let typeList = document["types"]?.objectValue else {
            throw DoubleError(.specificationUnavailable, "telegram-bot-api.json has no methods or types")
        }
        version = document["version"]?.stringValue ?? "unknown"
        methods = methodList.mapValues { Self.fields(of: $0) }
        types = typeList.mapValues {
            TypeSpec(fields: Self.fields(of: $0), subtypes: ($0["subtypes"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        updateKinds = Set((types["Update"]?.fields ?? []).map(\.name).filter { $0 != "update_id" })
    }

    private static func fields(of entry: JSONValue) -> [Field] {
        (entry["fields"]?.arrayValue ?? []).compactMap { field in
            guard let name = field["name"]?.stringValue else { return nil }
            let types = (field["types"]?.arrayValue ?? []).compactMap(\.stringValue)
            var constant: String?
            if types == ["String"], let text = field["description"]?.stringValue,
                let range = text.range(of: "must be ", options: .backwards)
            {
                let word = text[range.upperBound...]
                if !word.isEmpty && word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { constant = String(word) }
            }
            return Field(name: name, types: types, required: field["required"]?.boolValue ?? false, constant: constant)
        }
    }

    /// Whether `name` is a method of the API.
    public func hasMethod(_ name: String) -> Bool { methods[name] != nil }

    /// Checks the parameters of a call of `method`; returns them with form text read as typed values, and every
    /// problem found (empty when the request is valid).
    ///
    /// `textFields` names the parameters that came as text (a query string or a form), which Telegram reads as the
    /// field's type (objects and arrays as JSON text); the others came in a JSON body and keep their JSON types.
    public func check(method: String, parameters: [String: JSONValue], textFields: Set<String> = []) -> (
        parameters: [String: JSONValue], violations: [SpecViolation]
    ) {
        guard let fields = methods[method] else {
            return (parameters, [SpecViolation(method: method, path: "", problem: "no such method in \(version)")])
        }
        var problems: [(String, String)] = []
        var typed = parameters
        for field in fields where textFields.contains(field.name) {
            guard case .string(let text)? = parameters[field.name] else { continue }
            typed[field.name] = formValue(text, types: field.types)
        }
        checkObject(typed, fields: fields, owner: method, path: "", problems: &problems)
        return (typed, problems.map { SpecViolation(method: method, path: $0.0, problem: $0.1) })
    }

    /// Form text read as the first of `types` it parses as; text when none does and `String` is allowed.
    private func formValue(_ text: String, types: [String]) -> JSONValue {
        for type in types where type != "String" {
            switch type {
            case "Integer": if let value = Int64(text) { return .int(value) }
            case "Float": if let value = Double(text) { return .double(value) }
            case "Boolean": if text == "true" || text == "false" { return .bool(text == "true") }
            default: if let value = try? JSONParser.parse(text), value.objectValue != nil || value.arrayValue != nil { return value }
            }
        }
        return .string(text)
    }

    private func checkObject(
        _ object: [String: JSONValue], fields: [Field], owner: String, path: String, problems: inout [(String, String)]
    ) {
        let known = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for field in fields where field.required && object[field.name] == nil {
            problems.append((join(path, field.name), "required field is missing"))
        }
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let field = known[name] else {
                problems.append((join(path, name), "unknown field of \(owner)"))
                continue
            }
            let fieldPath = join(path, name)
            if let constant = field.constant, value != .string(constant) {
                problems.append((fieldPath, "must be \"\(constant)\""))
                continue
            }
            let mismatches = field.types.map { type in
                var found: [(String, String)] = []
                check(value, against: type, path: fieldPath, problems: &found)
                return found
            }
            if !mismatches.contains(where: \.isEmpty) {
                problems.append(
                    contentsOf: mismatches.count == 1 ? mismatches[0] : [(fieldPath, "is not \(field.types.joined(separator: " or "))")])
            }
        }
        checkLimits(object, owner: owner, path: path, problems: &problems)
    }

    private func check(_ value: JSONValue, against type: String, path: String, problems: inout [(String, String)]) {
        if type.hasPrefix("Array of ") {
            guard let items = value.arrayValue else { return problems.append((path, "is not an array")) }
            let itemType = String(type.dropFirst("Array of ".count))
            for (index, item) in items.enumerated() { check(item, against: itemType, path: "\(path)[\(index)]", problems: &problems) }
            return
        }
        switch type {
        case "Integer":
            if case .int = value { return }
            if case .double(let number) = value, number == number.rounded() { return }
            problems.append((path, "is not an Integer"))
        case "Float":
            if value.doubleValue == nil { problems.append((path, "is not a Float")) }
        case "String":
            if value.stringValue == nil { problems.append((path, "is not a String")) }
        case "Boolean":
            if value.boolValue == nil { problems.append((path, "is not a Boolean")) }
        default:
            guard let spec = types[type] else { return problems.append((path, "has unknown type \(type)")) }
            if !spec.subtypes.isEmpty {
                let attempts = spec.subtypes.map { subtype in
                    var found: [(String, String)] = []
                    check(value, against: subtype, path: path, problems: &found)
                    return found
                }
                if !attempts.contains(where: \.isEmpty) { problems.append((path, "matches none of the kinds of \(type)")) }
                return
            }
            guard let object = value.objectValue else { return problems.append((path, "is not a \(type) object")) }
            checkObject(object, fields: spec.fields, owner: type, path: path, problems: &problems)
        }
    }

    /// The limits the specification gives in its descriptions rather than in its types.
    private func checkLimits(_ object: [String: JSONValue], owner: String, path: String, problems: inout [(String, String)]) {
        func limit(_ name: String, _ range: ClosedRange<Int>, _ count: (String) -> Int, _ unit: String) {
            guard let text = object[name]?.stringValue else { return }
            let length = count(text)
            if !range.contains(length) {
                problems.append((join(path, name), "is \(length) \(unit), allowed \(range.lowerBound)-\(range.upperBound)"))
            }
        }
        switch owner {
        case "sendMessage", "editMessageText":
            let parseMode = object["parse_mode"]?.stringValue
            limit("text", 1...4096, { Self.visibleText($0, parseMode: parseMode).utf16.count }, "UTF-16 units after entity parsing")
        case "answerCallbackQuery":
            limit("text", 0...200, { $0.utf16.count }, "UTF-16 units")
        case "InlineKeyboardButton":
            limit("callback_data", 1...64, { $0.utf8.count }, "bytes")
        case "BotCommand":
            limit("command", 1...32, { $0.count }, "characters")
            limit("description", 1...256, { $0.count }, "characters")
            if let command = object["command"]?.stringValue,
                !command.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
            {
                problems.append((join(path, "command"), "may hold only lowercase English letters, digits and underscores"))
            }
        case "sendChatAction":
            if let action = object["action"]?.stringValue, !Self.chatActions.contains(action) {
                problems.append((join(path, "action"), "\"\(action)\" is not a chat action"))
            }
        case "getUpdates":
            for (index, kind) in (object["allowed_updates"]?.arrayValue ?? []).enumerated() {
                if let kind = kind.stringValue, !updateKinds.contains(kind) {
                    problems.append(("allowed_updates[\(index)]", "\"\(kind)\" is not an update type"))
                }
            }
            if let limit = object["limit"]?.int64Value, !(1...100).contains(limit) {
                problems.append(("limit", "is \(limit), allowed 1-100"))
            }
            if let timeout = object["timeout"]?.int64Value, timeout < 0 { problems.append(("timeout", "is negative")) }
        default: break
        }
        if let mode = object["parse_mode"]?.stringValue, !Self.parseModes.contains(mode) {
            problems.append((join(path, "parse_mode"), "\"\(mode)\" is not a parse mode"))
        }
    }

    /// The text a message shows once its markup is parsed (the markup itself when it does not parse).
    static func visibleText(_ text: String, parseMode: String?) -> String {
        guard parseMode == "HTML", case .success(let parsed) = TelegramHTML.parse(text) else { return text }
        return parsed.text
    }

    private func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
}
