/// Reads server-sent events (the WHATWG `text/event-stream` format) from bytes as they arrive, in any cut.
///
/// Lines end with CRLF, LF or CR; a leading byte-order mark is skipped; `:` starts a comment; `data:`, `event:` and
/// `id:` are kept (one space after the colon dropped), other fields ignored; an empty line dispatches the event,
/// unless it has no data. Unlike a browser, an event left without its final empty line when the stream ends is
/// still dispatched by `finish`: some servers end with `data: [DONE]` and nothing after (a cut connection is told
/// apart by the transport, not here).
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var type = ""
    private var id: String?
    private var lastWasCR = false
    private var firstLine = true

    public init() {}

    /// Parses `bytes`, the next piece of the stream, and hands every event it completes to `onEvent`.
    public mutating func feed<Bytes: Sequence<UInt8>, Failure: Error>(_ bytes: Bytes, onEvent: (ServerSentEvent) throws(Failure) -> Void)
        throws(Failure)
    {
        for byte in bytes {
            switch byte {
            case 0x0A:  // LF
                if lastWasCR {
                    lastWasCR = false
                    continue
                }
                try endLine(onEvent)
            case 0x0D:  // CR
                lastWasCR = true
                try endLine(onEvent)
            default:
                lastWasCR = false
                line.append(byte)
            }
        }
    }

    /// Ends the stream: its last line counts as whole, and an event left without its final empty line is
    /// dispatched.
    public mutating func finish<Failure: Error>(onEvent: (ServerSentEvent) throws(Failure) -> Void) throws(Failure) {
        if !line.isEmpty { try endLine(onEvent) }
        try dispatch(onEvent)
    }

    private mutating func endLine<Failure: Error>(_ onEvent: (ServerSentEvent) throws(Failure) -> Void) throws(Failure) {
        defer { line.removeAll(keepingCapacity: true) }
        if firstLine {
            firstLine = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty { return try dispatch(onEvent) }
        if line.first == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = line[..<(colon ?? line.endIndex)]
        var valueStart = colon.map { line.index(after: $0) } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart = line.index(after: valueStart) }
        let value = line[valueStart...]
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            type = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { id = String(decoding: value, as: UTF8.self) }
        default:
            break
        }
    }

    private mutating func dispatch<Failure: Error>(_ onEvent: (ServerSentEvent) throws(Failure) -> Void) throws(Failure) {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            type = ""
        }
        guard hasData else { return }
        try onEvent(ServerSentEvent(type: type.isEmpty ? "message" : type, data: String(decoding: data, as: UTF8.self), id: id))
    }
}
