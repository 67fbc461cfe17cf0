import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// The SHA-256 of files, read in chunks so that a large binary never sits whole in memory.
public enum FileDigest {
    /// The hexadecimal SHA-256 of the file at `path` (symlinks followed).
    ///
    /// - Throws: `RevisionsError` `.fileSystem` naming the file and the reason when it cannot be read.
    public static func sha256(ofFile path: String) throws(RevisionsError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RevisionsError(.fileSystem, "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw RevisionsError(.fileSystem, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            hasher.update(chunk[0..<count])
        }
        return hasher.finalizeHex()
    }
}
