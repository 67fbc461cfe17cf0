import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over one keep-alive connection to 127.0.0.1, for sending requests that a
/// real client would never send (to test the doubles' checks) and for load generation without client overhead.
///
/// Not thread-safe: one connection, one caller at a time.
public final class RawHTTPClient {
    /// An answer: status, header fields (names lowercased) and body (a chunked or close-delimited one read whole).
    public struct Response: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: [UInt8]

        /// The body as text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    private let port: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    public init(port: Int) { self.port = port }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Sends one request and reads its answer; reconnects once if the kept-alive connection was closed.
    /// - Throws: `DoubleError` `.cannotListen` when no connection can be made or the answer is cut.
    public func send(
        _ method: String, _ target: String, body: [UInt8] = [], contentType: String? = "application/json", headers: [String: String] = [:]
    ) throws(DoubleError) -> Response {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        if fd < 0 { try connect() }
        if !LoopbackHTTPServer.sendAll(request, to: fd) {
            try connect()
            guard LoopbackHTTPServer.sendAll(request, to: fd) else { throw DoubleError(.cannotListen, "cannot send to port \(port)") }
        }
        guard let response = readResponse() else {
            close(fd)
            fd = -1
            throw DoubleError(.cannotListen, "no answer from port \(port)")
        }
        return response
    }

    /// `send` with a JSON text body.
    public func send(_ method: String, _ target: String, json: String, headers: [String: String] = [:]) throws(DoubleError) -> Response {
        try send(method, target, body: Array(json.utf8), contentType: "application/json", headers: headers)
    }

    private func connect() throws(DoubleError) {
        if fd >= 0 { close(fd) }
        buffer.removeAll(keepingCapacity: true)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, connected == 0 else {
            let code = errno
            if fd >= 0 { close(fd) }
            fd = -1
            throw DoubleError(.cannotListen, "cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(code)))", errno: code)
        }
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The next CRLF-ended line of the buffer (without its CRLF), reading more as needed.
    private func readLine(_ fill: () -> Bool) -> String? {
        while true {
            if let end = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            if !fill() { return nil }
        }
    }

    private func readResponse() -> Response? {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        func fill() -> Bool {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        let terminator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            if buffer.count >= 4 {
                end = (0...(buffer.count - 4)).first { buffer[$0..<($0 + 4)].elementsEqual(terminator) }
            }
            if end == nil && !fill() { return nil }
        }
        let headerEnd = end!
        let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let start = headerEnd + 4
        var body: [UInt8]
        var closes = headers["connection"]?.lowercased() == "close"
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            buffer.removeFirst(start)
            body = []
            while true {
                guard let line = readLine(fill) else { return nil }
                guard let size = Int(line.split(separator: ";").first.map(String.init) ?? "", radix: 16) else { return nil }
                while buffer.count < size + 2 {
                    if !fill() { return nil }
                }
                body += buffer[0..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            while buffer.count < start + length {
                if !fill() { return nil }
            }
            body = Array(buffer[start..<(start + length)])
            buffer.removeFirst(start + length)
        } else {
            // Ended by closing the connection.
            while fill() {}
            body = Array(buffer[start...])
            buffer.removeAll()
            closes = true
        }
        if closes {
            close(fd)
            fd = -1
        }
        return Response(status: status, headers: headers, body: body)
    }
}
