#if canImport(Glibc)
    import Glibc
#endif

/// Replaces a file in one step: the bytes go to a temporary file, which is synced and renamed over it.
///
/// Whatever happens midway (an error, a crash, a kill), the file holds either its old content or the new one,
/// never a part. The temporary file is made in the scratch folder (git-ignored, so that one left by a crash never
/// reaches a patch), or beside the file when that folder is on another filesystem; it is removed on error. The mode
/// of a replaced file is kept. Every folder is reached through descriptors (`AnchoredOpen`) and the file is put in
/// place with `renameat`, which replaces a name and never follows a symlink at it: the write lands where the policy
/// checked, whatever a concurrent command swapped meanwhile.
enum AtomicFile {
    /// The suffix of temporary files, which the scratch folder cleans up once stale.
    static let temporaryMarker = ".tmp-"

    /// Writes `bytes` to `path`, creating missing parent folders.
    ///
    /// - Throws: `ToolsError` `.failed` with the system's reason.
    static func write(_ bytes: [UInt8], to path: ResolvedPath, policy: ToolPolicy) throws(ToolsError) {
        let scratch = try ScratchFolder(policy: policy)
        try scratch.prepare()
        try scratch.withDescriptor { (temporaryFolder) throws(ToolsError) in
            try AnchoredOpen.withParent(of: path, in: policy, creatingFolders: true) { (folder, name) throws(ToolsError) in
                guard !name.isEmpty else { throw ToolsError(.failed, "the workspace root is a folder; give the path of a file") }
                try write(bytes, into: folder, name: name, shownAs: path.relative, temporaryFolder: temporaryFolder)
            }
        }
    }

    /// Writes `bytes` to the file `name` of the open folder `folder`.
    ///
    /// - Parameters:
    ///   - shownAs: the file's path in messages.
    ///   - temporaryFolder: an open folder for the temporary file, `nil` for `folder` itself.
    ///   - afterChunk: called after each chunk is written to the temporary file (tests interrupt there).
    static func write(
        _ bytes: [UInt8], into folder: Int32, name: String, shownAs path: String, temporaryFolder: Int32? = nil,
        chunkSize: Int = 1 << 20, afterChunk: (Int) throws -> Void = { _ in }
    ) throws(ToolsError) {
        var status = stat()
        let exists = fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0
        if exists && status.st_mode & S_IFMT == S_IFDIR {
            throw ToolsError(.failed, "\(path) is a folder; give the path of a file")
        }
        let mode: mode_t = exists && status.st_mode & S_IFMT == S_IFREG ? status.st_mode & 0o7777 : 0o644
        let temporaryName = ".write\(temporaryMarker)\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let temporaryFolder = temporaryFolder ?? folder
        let fd = openat(temporaryFolder, temporaryName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot create a temporary file for \(path)") }
        var closed = false
        do {
            fchmod(fd, mode)
            var written = 0
            while written < bytes.count {
                let end = min(bytes.count, written + chunkSize)
                let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, end - written) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure("cannot write \(path)")
                }
                written += count
                try afterChunk(written)
            }
            guard fsync(fd) == 0 else { throw failure("cannot sync \(path)") }
            closed = true
            guard close(fd) == 0 else { throw failure("cannot close \(path)") }
            guard renameat(temporaryFolder, temporaryName, folder, name) == 0 else {
                if errno == EXDEV && temporaryFolder != folder {
                    unlinkat(temporaryFolder, temporaryName, 0)
                    return try write(bytes, into: folder, name: name, shownAs: path, chunkSize: chunkSize, afterChunk: afterChunk)
                }
                throw failure("cannot replace \(path)")
            }
        } catch {
            if !closed { close(fd) }
            unlinkat(temporaryFolder, temporaryName, 0)
            if let error = error as? ToolsError { throw error }
            throw ToolsError(.failed, "writing \(path) was interrupted: \(error)")
        }
        fsync(folder)
    }

    private static func failure(_ what: String) -> ToolsError {
        ToolsError(.failed, "\(what): \(String(cString: strerror(errno)))")
    }
}
