import FoundationEssentials
import Threads

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a pipe to its end on a thread of its own and hands the bytes over as an `AsyncStream`.
enum PipeDrain {
    /// Starts draining `fd` (which the stream then owns and closes at end of file).
    static func stream(reading fd: Int32) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        DetachedThread.start(name: "pipe-drain") {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    continuation.yield(Array(buffer[0..<count]))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(fd)
            continuation.finish()
        }
        return stream
    }
}
