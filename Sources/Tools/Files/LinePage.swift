import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A page of a text file: up to `maxLines` lines and `maxBytes` bytes from a 1-based line, read in 1 MiB chunks
/// so that the last page of a huge file costs one scan and no more memory than the page.
struct LinePage {
    /// Why the page ended.
    enum Stop: Equatable {
        /// The end of the file.
        case endOfFile
        /// The line limit.
        case lines
        /// The byte limit.
        case bytes
    }

    /// The bytes of the page, whole lines unless `cutLine` is set.
    var bytes: [UInt8] = []
    /// The number of the page's first line.
    var firstLine: Int
    /// How many lines the page shows (the last one maybe without its newline).
    var lineCount = 0
    /// The line to continue from, `nil` when the page reaches the end of the file.
    var nextOffset: Int?
    /// A line longer than the byte limit, of which only the beginning is shown.
    var cutLine: Int?
    var stop: Stop = .endOfFile

    /// The failure to read a page.
    enum Failure: Error, Equatable {
        /// `offset` is after the last line; the file has this many lines.
        case pastEnd(lines: Int)
        /// `read` failed with this `errno`.
        case system(Int32)
    }

    /// Reads the page of `fd` (positioned at its start) that begins at line `offset`.
    static func read(_ fd: Int32, fileSize: Int, offset: Int, maxLines: Int, maxBytes: Int) throws(Failure) -> LinePage {
        var page = LinePage(firstLine: offset)
        var line = 1
        var collecting = offset == 1
        var partial = 0  // bytes of the current, unfinished line already in the page
        var skippingCutLine = false
        var position = 0
        var lastByte: UInt8?
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)

        while true {
            let count = Glibc.read(fd, buffer, capacity)
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(errno)
            }
            if count == 0 { break }
            lastByte = buffer.load(fromByteOffset: count - 1, as: UInt8.self)
            var index = 0
            while index < count {
                let newline = memchr(buffer + index, Int32(UInt8(ascii: "\n")), count - index).map { $0 - buffer }
                if !collecting || skippingCutLine {
                    guard let newline else {
                        index = count
                        continue
                    }
                    index = newline + 1
                    line += 1
                    if skippingCutLine {
                        page.nextOffset = position + index < fileSize ? line : nil
                        return page
                    }
                    if line == offset { collecting = true }
                    continue
                }
                let end = newline.map { $0 + 1 } ?? count
                let room = maxBytes - page.bytes.count
                if end - index > room {
                    if page.lineCount > 0 {
                        page.bytes.removeLast(partial)
                        page.nextOffset = line
                        page.stop = .bytes
                        return page
                    }
                    page.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer + index, count: room))
                    UTF8Boundary.dropIncompleteEnd(of: &page.bytes)
                    page.lineCount = 1
                    page.cutLine = line
                    page.stop = .bytes
                    skippingCutLine = true
                    continue
                }
                page.bytes.append(contentsOf: UnsafeRawBufferPointer(start: buffer + index, count: end - index))
                partial += end - index
                index = end
                guard newline != nil else { continue }
                partial = 0
                page.lineCount += 1
                line += 1
                if page.lineCount == maxLines {
                    page.stop = .lines
                    page.nextOffset = position + index < fileSize ? line : nil
                    return page
                }
            }
            position += count
        }
        if skippingCutLine { return page }
        if partial > 0 { page.lineCount += 1 }
        if !collecting || (page.lineCount == 0 && offset > 1) {
            let lines = lastByte == nil ? 0 : (lastByte == UInt8(ascii: "\n") ? line - 1 : line)
            throw .pastEnd(lines: lines)
        }
        return page
    }
}
