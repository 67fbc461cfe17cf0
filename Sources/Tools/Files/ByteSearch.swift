#if canImport(Glibc)
    import Glibc
#endif

/// Exact search of bytes in bytes.
enum ByteSearch {
    /// The offsets where `needle` starts in `haystack`, without overlaps, at most `limit` of them.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8], limit: Int = .max) -> [Int] {
        guard let first = needle.first, needle.count <= haystack.count else { return [] }
        var found: [Int] = []
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                let base = hay.baseAddress!
                var start = 0
                let last = hay.count - pin.count
                while start <= last && found.count < limit {
                    guard let hit = memchr(base + start, Int32(first), last - start + 1) else { break }
                    let offset = UnsafeRawPointer(hit) - base
                    if memcmp(hit, pin.baseAddress!, pin.count) == 0 {
                        found.append(offset)
                        start = offset + pin.count
                    } else {
                        start = offset + 1
                    }
                }
            }
        }
        return found
    }
}
