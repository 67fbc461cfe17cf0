import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1: one thread accepts, one thread serves each connection.
///
/// It speaks what the doubles need: keep-alive, `Content-Length` bodies, `Expect: 100-continue`, and replies
/// streamed while they are produced (chunked, or ended by closing the connection: `HTTPBodyStream`). The handler runs
/// on the connection's thread and may block (a held long poll, a slow answer); other connections go on meanwhile.
/// `stop()` closes the listener and every open connection; a server runs until it is stopped.
public final class LoopbackHTTPServer: Sendable {
    /// Turns one request into one reply; called on the connection's own thread.
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPReply

    /// The port the server listens on (the ephemeral one the kernel chose when asked for 0).
    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let connections = Mutex<Connections>(Connections())

    private struct Connections {
        var open: Set<Int32> = []
        var stopped = false
    }

    /// The largest header block and body the server accepts.
    static let maxHeaderBytes = 64 * 1024
    static let maxBodyBytes = 32 * 1024 * 1024

    /// Listens on 127.0.0.1:`port` (0: an ephemeral port) and starts accepting.
    /// - Throws: `DoubleError` `.cannotListen`.
    public init(port: Int = 0, handler: @escaping Handler) throws(DoubleError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DoubleError(.cannotListen, "socket() failed: \(Self.errorText())", errno: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let code = errno
            close(fd)
            throw DoubleError(.cannotListen, "cannot listen on 127.0.0.1:\(port): \(Self.errorText(code))", errno: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.listener = fd
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loopback-http-accept"
        thread.start()
    }

    /// Stops accepting and shuts every open connection down. Idempotent.
    public func stop() {
        connections.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            // Shut down under the lock: a connection thread closes its descriptor only after leaving the set, so
            // none of these numbers can have been reused.
            for fd in state.open { shutdown(fd, Int32(SHUT_RDWR)) }
            shutdown(listener, Int32(SHUT_RDWR))
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE {
                    if errno == EMFILE || errno == ENFILE { usleep(10_000) }
                    if connections.withLock({ !$0.stopped }) { continue }
                }
                break
            }
            let admitted = connections.withLock { state in
                guard !state.stopped else { return false }
                state.open.insert(fd)
                return true
            }
            guard admitted else {
                close(fd)
                break
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in
                serve(fd)
                connections.withLock { _ = $0.open.remove(fd) }
                close(fd)
            }
            thread.name = "loopback-http-connection"
            thread.stackSize = 1 << 20
            thread.start()
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        var reader = HTTPRequestReader(fd: fd)
        while let request = reader.next() {
            let reply = handler(request)
            guard reply.action == .respond else { return }
            if let stream = reply.stream {
                guard Self.writeStreamed(reply, stream, closing: request.wantsClose, to: fd) else { return }
            } else {
                guard Self.write(reply, closing: request.wantsClose, to: fd) else { return }
            }
            if request.wantsClose { return }
        }
    }

    /// Writes `reply` whole; false when the peer is gone.
    static func write(_ reply: HTTPReply, closing: Bool, to fd: Int32) -> Bool {
        var head = "HTTP/1.1 \(reply.status) \(HTTPReply.reasonPhrase(reply.status))\r\n"
        for field in reply.headers { head += "\(field.name): \(field.value)\r\n" }
        head += "Content-Length: \(reply.body.count)\r\n"
        head += closing ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: reply.body)
        return sendAll(bytes, to: fd)
    }

    /// Writes the head of a streamed reply, then its body as `stream` produces it; false when the connection must
    /// close (a close-delimited body, a cut, the peer gone).
    static func writeStreamed(_ reply: HTTPReply, _ stream: HTTPBodyStream, closing: Bool, to fd: Int32) -> Bool {
        var head = "HTTP/1.1 \(reply.status) \(HTTPReply.reasonPhrase(reply.status))\r\n"
        for field in reply.headers { head += "\(field.name): \(field.value)\r\n" }
        switch stream.framing {
        case .chunked: head += "Transfer-Encoding: chunked\r\n" + (closing ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n")
        case .closeDelimited: head += "Connection: close\r\n\r\n"
        }
        guard sendAll(Array(head.utf8), to: fd) else { return false }
        let ending = stream.produce(HTTPBodyWriter(fd: fd, framing: stream.framing))
        guard ending == .complete, stream.framing == .chunked else { return false }
        return sendAll(Array("0\r\n\r\n".utf8), to: fd)
    }

    /// Sends every byte, never raising SIGPIPE; false when the peer is gone.
    static func sendAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            sent += count
        }
        return true
    }

    private static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}
