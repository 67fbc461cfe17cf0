import Events

/// Draws an event tree with box-drawing characters, or prints it as nested JSON.
public struct TreeRenderer: Sendable {
    public let formatter: EventFormatter

    public init(formatter: EventFormatter) {
        self.formatter = formatter
    }

    /// One line per event: `#12 turn.started  worker#3  1.2s  tokens 350/80  {"n":1}`.
    public func text(_ root: EventTreeNode) -> String {
        var output = ""
        appendText(root, prefix: "", connector: "", to: &output)
        return output
    }

    private func appendText(_ node: EventTreeNode, prefix: String, connector: String, to output: inout String) {
        output += prefix + connector + describe(node) + "\n"
        let childPrefix = prefix + (connector.isEmpty ? "" : connector == "└─ " ? "   " : "│  ")
        for (index, child) in node.children.enumerated() {
            appendText(child, prefix: childPrefix, connector: index == node.children.count - 1 ? "└─ " : "├─ ", to: &output)
        }
    }

    private func describe(_ node: EventTreeNode) -> String {
        let event = node.event
        let terminal = formatter.terminal
        var line = terminal.paint("#\(event.id)", .dim) + " " + formatter.paintKind(event) + "  "
        line += formatter.origin(event).trimmingTrailingSpaces
        if let duration = node.durationMilliseconds {
            line += "  " + EventFormatter.duration(duration)
        } else if node.unfinished {
            line += "  " + terminal.paint("unfinished", .yellow)
        }
        if node.opensSpan, node.inputTokens + node.outputTokens > 0 {
            line += "  tokens \(node.inputTokens)/\(node.outputTokens)"
        }
        if event.payload != "{}" { line += "  " + (formatter.toolCallSummary(event) ?? formatter.shortPayload(event.payload)) }
        return line
    }

    /// The root as a JSON object: the `events` columns plus `children`, `duration_ms` and `unfinished`.
    public static func json(_ root: EventTreeNode) -> String {
        var output = ""
        output.reserveCapacity(estimatedJSONSize(root))
        appendJSON(root, to: &output)
        return output
    }

    /// About how many bytes the JSON of a subtree takes: its payloads plus the fixed fields of each event.
    private static func estimatedJSONSize(_ node: EventTreeNode) -> Int {
        node.children.reduce(node.event.payload.utf8.count + 320) { $0 + estimatedJSONSize($1) }
    }

    private static func appendJSON(_ node: EventTreeNode, to output: inout String) {
        output += "{"
        EventFormatter.appendFields(of: node.event, to: &output)
        output += ",\"children\":["
        for (index, child) in node.children.enumerated() {
            if index > 0 { output += "," }
            appendJSON(child, to: &output)
        }
        output += "],\"duration_ms\":\(EventFormatter.number(node.durationMilliseconds)),\"unfinished\":\(node.unfinished)}"
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
