import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Replaces a file in one step: the bytes go to a temporary file, which is synced and renamed over it.
///
/// Whatever happens midway (an error, a crash, a kill), the file holds either its old content or the new one,
/// never a part. The temporary file is made in `temporaryFolder` (the git-ignored scratch folder, so that one
/// left by a crash never reaches a patch), or beside the file when that folder is on another filesystem; it is
/// removed on error. The mode of a replaced file is kept.
enum AtomicFile {
    /// The suffix of temporary files, which the scratch folder cleans up once stale.
    static let temporaryMarker = ".tmp-"

    /// Writes `bytes` to `path`, creating missing parent folders.
    ///
    /// - Parameter afterChunk: called after each chunk is written to the temporary file (tests interrupt there).
    /// - Throws: `ToolsError` `.failed` with the system's reason.
    static func write(
        _ bytes: [UInt8], to path: String, temporaryFolder: String? = nil, chunkSize: Int = 1 << 20,
        afterChunk: (Int) throws -> Void = { _ in }
    ) throws(ToolsError) {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ToolsError(.failed, "cannot create the folder \(folder): \(error.localizedDescription)")
        }
        var status = stat()
        let mode: mode_t = stat(path, &status) == 0 ? status.st_mode & 0o7777 : 0o644
        let temporary =
            "\(temporaryFolder ?? folder)/.\(name)\(temporaryMarker)\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot create a temporary file in \(temporaryFolder ?? folder)") }
        var closed = false
        do {
            fchmod(fd, mode)
            var written = 0
            while written < bytes.count {
                let end = min(bytes.count, written + chunkSize)
                let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, end - written) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot write \(name)")
                }
                written += count
                try afterChunk(written)
            }
            guard fsync(fd) == 0 else { throw failure("cannot sync \(name)") }
            closed = true
            guard close(fd) == 0 else { throw failure("cannot close \(name)") }
            guard rename(temporary, path) == 0 else {
                if errno == EXDEV && temporaryFolder != nil {
                    unlink(temporary)
                    return try write(bytes, to: path, chunkSize: chunkSize, afterChunk: afterChunk)
                }
                throw failure("cannot replace \(name)")
            }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            if let error = error as? ToolsError { throw error }
            throw ToolsError(.failed, "writing \(name) was interrupted: \(error)")
        }
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    private static func failure(_ what: String) -> ToolsError {
        ToolsError(.failed, "\(what): \(String(cString: strerror(errno)))")
    }
}
