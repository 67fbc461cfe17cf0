#if canImport(Glibc)
    import Glibc
#endif

/// The end of a file, read without loading the rest: what `bash` shows of an output that may be gigabytes long.
struct FileTail {
    /// The text of the tail, starting at a line boundary when cut.
    let text: String
    /// The size of the whole file.
    let totalBytes: Int
    /// Whether the text is less than the whole file.
    let truncated: Bool

    /// Reads at most the last `maxBytes` bytes and `maxLines` lines of the open file `fd` (which stays open; an
    /// unreadable file reads as empty).
    init(reading fd: Int32, maxBytes: Int, maxLines: Int) {
        var status = stat()
        fstat(fd, &status)
        let size = Int(status.st_size)
        let start = max(0, size - maxBytes)
        var bytes = [UInt8](repeating: 0, count: size - start)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(start + filled)) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        var first = 0
        if start > 0, let newline = bytes.firstIndex(of: UInt8(ascii: "\n")), newline + 1 < bytes.count {
            first = newline + 1
        }
        var newlines = 0
        var index = bytes.count - 1
        let ignoreLast = bytes.last == UInt8(ascii: "\n")
        while index >= first {
            if bytes[index] == UInt8(ascii: "\n") && !(ignoreLast && index == bytes.count - 1) {
                newlines += 1
                if newlines == maxLines {
                    first = index + 1
                    break
                }
            }
            index -= 1
        }
        while first < bytes.count && bytes[first] & 0xC0 == 0x80 { first += 1 }
        self.init(text: String(decoding: bytes[first...], as: UTF8.self), totalBytes: size, truncated: first > 0 || start > 0)
    }

    private init(text: String, totalBytes: Int, truncated: Bool) {
        self.text = text
        self.totalBytes = totalBytes
        self.truncated = truncated
    }
}
