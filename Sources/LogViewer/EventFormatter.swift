import Events
import Foundation

/// Renders events for people (one line each) and for scripts (one JSON object each).
public struct EventFormatter: Sendable {
    public let terminal: Terminal
    /// How many characters of the payload a text line shows.
    public let payloadWidth: Int

    public init(terminal: Terminal, payloadWidth: Int = 160) {
        self.terminal = terminal
        self.payloadWidth = payloadWidth
    }

    /// `2026-11-25 11:02:03.123  worker#3  agent.started  #42 chat=7 run=42  {"chat_id":7,...}`
    public func line(_ event: Event) -> String {
        var writer = "\(terminal.paint(Self.timestamp(event.ts), .dim))  \(origin(event))  \(paintKind(event))"
        writer += String(repeating: " ", count: max(2, 26 - event.kind.count)) + terminal.paint("#\(event.id)", .dim)
        if let chat = event.chatID { writer += " chat=\(chat)" }
        if let run = event.runID { writer += " run=\(run)" }
        if event.payload != "{}" { writer += "  " + shortPayload(event.payload) }
        return writer
    }

    /// `supervisor`, `worker#3`, `build`.
    func origin(_ event: Event) -> String {
        let text = event.instance.map { "\(event.source)#\($0)" } ?? event.source
        return terminal.paint(text.padding(toLength: max(text.count, 10), withPad: " ", startingAt: 0), .blue)
    }

    func paintKind(_ event: Event) -> String {
        let style: Terminal.Style
        if event.level == "error" || event.kind.hasSuffix(".failed") {
            style = .red
        } else if event.level == "warn" {
            style = .yellow
        } else if event.kind.hasSuffix(".completed") || event.kind == EventKind.replySent {
            style = .green
        } else if event.kind.hasSuffix(".started") {
            style = .cyan
        } else {
            style = .bold
        }
        return terminal.paint(event.kind, style)
    }

    /// The payload cut to `payloadWidth` characters, `…` marking the cut.
    func shortPayload(_ payload: String) -> String {
        payload.count <= payloadWidth ? payload : String(payload.prefix(payloadWidth - 1)) + "…"
    }

    /// A `tool_call.started` as `grep {"pattern":"TODO"} (call_1)`: the tool, its arguments on one line cut to
    /// `payloadWidth`, and the call id; `nil` for other kinds.
    func toolCallSummary(_ event: Event) -> String? {
        guard event.kind == EventKind.toolCallStarted, let payload = event.payloadObject, let tool = payload["tool"]?.stringValue
        else { return nil }
        let arguments = shortPayload(payload["args"]?.serialized ?? "{}")
        let id = payload["call_id"]?.stringValue.map { " (\($0))" } ?? ""
        return tool + " " + arguments + id
    }

    /// One JSON object whose keys are the `events` columns, `payload` as an object and `ts` in unix ms.
    public static func json(_ event: Event) -> String {
        var output = "{"
        appendFields(of: event, to: &output)
        output += "}"
        return output
    }

    /// Writes the column fields of `event` (no braces) into `output`.
    static func appendFields(of event: Event, to output: inout String) {
        output += "\"id\":\(event.id),\"ts\":\(event.ts),\"kind\":"
        output += JSONValue.string(event.kind).serialized
        output += ",\"parent_id\":\(number(event.parentID)),\"run_id\":\(number(event.runID)),\"source\":"
        output += JSONValue.string(event.source).serialized
        output += ",\"pid\":\(number(event.pid)),\"rev\":"
        output += JSONValue(event.rev).serialized
        output += ",\"instance\":\(number(event.instance)),\"chat_id\":\(number(event.chatID)),\"level\":"
        output += JSONValue.string(event.level).serialized
        output += ",\"payload\":" + event.payload
    }

    static func number(_ value: Int64?) -> String {
        value.map(String.init) ?? "null"
    }

    /// Unix milliseconds as local `YYYY-MM-DD HH:MM:SS.mmm`.
    public static func timestamp(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &parts)
        let millis = Int(milliseconds % 1000)
        let prefix = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return prefix + "." + String(repeating: "0", count: millis < 10 ? 2 : millis < 100 ? 1 : 0) + String(millis)
    }

    /// A duration in milliseconds as `850ms`, `12.3s`, `4m05s`, `2h03m`.
    public static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds < 60_000 { return String(format: "%.1fs", Double(milliseconds) / 1000) }
        let seconds = milliseconds / 1000
        if seconds < 3600 { return String(format: "%dm%02ds", seconds / 60, seconds % 60) }
        return String(format: "%dh%02dm", seconds / 3600, (seconds % 3600) / 60)
    }
}
