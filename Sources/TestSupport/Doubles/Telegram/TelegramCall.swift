import Events

/// The parameters of one API call, typed.
struct TelegramCall {
    let parameters: [String: JSONValue]

    subscript(_ name: String) -> JSONValue? { parameters[name] }

    func int(_ name: String) -> Int64? { parameters[name]?.int64Value }
    func string(_ name: String) -> String? { parameters[name]?.stringValue }
    func bool(_ name: String) -> Bool? { parameters[name]?.boolValue }
}
