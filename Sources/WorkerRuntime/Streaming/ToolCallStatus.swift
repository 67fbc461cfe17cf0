import ModelAdapter

/// The one line a draft shows while tool calls run, instead of the text of a turn that ends in them (that text is
/// not the answer and would vanish): "🔧 grep TODO in Sources/…".
enum ToolCallStatus {
    /// The most a line shows.
    static let maxCharacters = 200

    /// The line for the calls of an answer: each call's name and its main argument, with its path.
    static func line(for calls: [ToolCall]) -> String {
        finish(calls.map(summary).joined(separator: ", "))
    }

    /// The line for calls whose names are known and whose arguments are still arriving.
    static func line(forNames names: [String]) -> String {
        finish(names.joined(separator: ", "))
    }

    /// `grep TODO in Sources/`, `read README.md`, `bash swift build`.
    static func summary(of call: ToolCall) -> String {
        guard case .object(let arguments)? = call.parsedArguments else { return call.name }
        let main = ["command", "pattern", "old_text", "reason", "query"].lazy.compactMap { arguments[$0]?.stringValue }.first
        let path = arguments["path"]?.stringValue
        var words = [call.name]
        if let main { words.append(oneLine(main, limit: 60)) }
        if let path { words.append(main == nil ? oneLine(path, limit: 80) : "in " + oneLine(path, limit: 80)) }
        return words.joined(separator: " ")
    }

    private static func finish(_ body: String) -> String {
        "🔧 " + oneLine(body, limit: maxCharacters) + "…"
    }

    /// The first line of `text`, at most `limit` characters.
    private static func oneLine(_ text: String, limit: Int) -> String {
        let line = text.prefix { $0 != "\n" && $0 != "\r" }
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : String(line)
    }
}
