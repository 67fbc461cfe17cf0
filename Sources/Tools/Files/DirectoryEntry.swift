#if canImport(Glibc)
    import Glibc
#endif

/// One entry of a folder as `readdir` gives it, without following symlinks.
struct DirectoryEntry: Sendable {
    enum Kind: Sendable, Equatable {
        case file, folder, symlink, other
    }

    let name: String
    let kind: Kind

    /// The entries of the open folder `folder` (without `.` and `..`), unsorted. `folder` stays open.
    ///
    /// - Throws: `ToolsError` `.failed` with the `errno` of `fdopendir`.
    static func list(_ folder: Int32, shownAs path: String) throws(ToolsError) -> [DirectoryEntry] {
        let copy = dup(folder)
        guard copy >= 0, let directory = fdopendir(copy) else {
            let code = errno
            if copy >= 0 { close(copy) }
            throw ToolsError(.failed, "cannot list \(path): \(String(cString: strerror(code)))")
        }
        defer { closedir(directory) }
        rewinddir(directory)
        var entries: [DirectoryEntry] = []
        while let pointer = readdir(directory) {
            let name = withUnsafePointer(to: &pointer.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let kind: Kind
            switch Int32(pointer.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .folder
            case Int32(DT_LNK): kind = .symlink
            case Int32(DT_UNKNOWN): kind = Self.kind(of: name, in: folder)
            default: kind = .other
            }
            entries.append(DirectoryEntry(name: name, kind: kind))
        }
        return entries
    }

    /// The target of the symlink `name` in the open folder `folder`, or `nil`.
    static func linkTarget(_ name: String, in folder: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(folder, name, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func kind(of name: String, in folder: Int32) -> Kind {
        var status = stat()
        guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { return .other }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .folder
        case S_IFLNK: return .symlink
        default: return .other
        }
    }
}
