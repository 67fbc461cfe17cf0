#if canImport(Glibc)
    import Glibc
#endif

/// Reads HTTP/1.1 requests one after the other from a connected socket, keeping what it read past each one.
struct HTTPRequestReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(64 * 1024)
    }

    /// The next whole request, or `nil` at end of stream, on an error or on a request the server cannot read.
    mutating func next() -> HTTPRequest? {
        var headerEnd = Self.find(headerTerminator, in: buffer, from: 0)
        var searched = 0
        while headerEnd == nil {
            guard buffer.count <= LoopbackHTTPServer.maxHeaderBytes, fill() else { return nil }
            searched = max(0, searched - 3)
            headerEnd = Self.find(headerTerminator, in: buffer, from: searched)
            searched = buffer.count
        }
        guard let end = headerEnd, let head = String(validating: buffer[0..<end], as: UTF8.self) else { return nil }
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return nil }
        var headers: [(name: String, value: String)] = []
        var contentLength = 0
        var expectsContinue = false
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = String(line[..<colon])
            let value = Self.trimmingSpaces(line[line.index(after: colon)...])
            headers.append((name, value))
            switch name.lowercased() {
            case "content-length":
                guard let length = Int(value), length >= 0, length <= LoopbackHTTPServer.maxBodyBytes else { return nil }
                contentLength = length
            case "transfer-encoding":
                return nil
            case "expect":
                expectsContinue = value.lowercased() == "100-continue"
            default: break
            }
        }
        let bodyStart = end + headerTerminator.count
        if expectsContinue && buffer.count < bodyStart + contentLength {
            guard LoopbackHTTPServer.sendAll(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), to: fd) else { return nil }
        }
        while buffer.count < bodyStart + contentLength {
            guard fill() else { return nil }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + contentLength)])
        buffer.removeFirst(bodyStart + contentLength)
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return HTTPRequest(
            method: String(requestLine[0]), path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil,
            headers: headers, body: body)
    }

    /// Reads more bytes into the buffer; false at end of stream or on an error.
    private mutating func fill() -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    private let headerTerminator: [UInt8] = [13, 10, 13, 10]

    /// `text` without leading and trailing spaces and tabs.
    private static func trimmingSpaces(_ text: Substring) -> String {
        var view = text
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] && haystack[index + 1] == needle[1] && haystack[index + 2] == needle[2]
                && haystack[index + 3] == needle[3]
            {
                return index
            }
            index += 1
        }
        return nil
    }
}
