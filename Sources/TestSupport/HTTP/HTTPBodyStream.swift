#if canImport(Glibc)
    import Glibc
#endif

/// A reply body written piece by piece while the handler produces it (server-sent events at a pace).
///
/// `chunked` frames each piece as an HTTP/1.1 chunk and keeps the connection; `closeDelimited` sends the pieces
/// bare and ends the body by closing the connection, as some servers do. `produce` writes through the writer it is
/// given, on the connection's thread (it may sleep between pieces), and returns how the body ends.
public struct HTTPBodyStream: Sendable {
    public enum Framing: Sendable, Equatable {
        case chunked
        case closeDelimited
    }

    /// How the producer ended the body.
    public enum Ending: Sendable, Equatable {
        /// The body is complete: the last chunk is written (chunked), or the connection closed (close-delimited).
        case complete
        /// The connection is closed in the middle: no last chunk, so a client of a chunked body sees a cut.
        case cut
    }

    public var framing: Framing
    public var produce: @Sendable (HTTPBodyWriter) -> Ending

    public init(framing: Framing = .chunked, produce: @escaping @Sendable (HTTPBodyWriter) -> Ending) {
        self.framing = framing
        self.produce = produce
    }
}

/// Writes the pieces of a streamed body to the connection, framed.
public struct HTTPBodyWriter: Sendable {
    let fd: Int32
    let framing: HTTPBodyStream.Framing

    /// Writes one piece at once (an empty one is skipped: it would end a chunked body); false when the peer is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        switch framing {
        case .chunked:
            var framed = Array((String(bytes.count, radix: 16) + "\r\n").utf8)
            framed += bytes
            framed += [0x0D, 0x0A]
            return LoopbackHTTPServer.sendAll(framed, to: fd)
        case .closeDelimited:
            return LoopbackHTTPServer.sendAll(bytes, to: fd)
        }
    }

    /// Writes `text` as UTF-8.
    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }
}
