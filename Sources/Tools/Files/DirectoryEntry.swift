import Foundation

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

    /// The entries of `path` (without `.` and `..`), unsorted.
    ///
    /// - Throws: the `errno` of `opendir`.
    static func list(_ path: String) throws(ToolsError) -> [DirectoryEntry] {
        guard let directory = opendir(path) else {
            throw ToolsError(.failed, "cannot list \(path): \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
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
            case Int32(DT_UNKNOWN): kind = Self.kind(of: "\(path)/\(name)")
            default: kind = .other
            }
            entries.append(DirectoryEntry(name: name, kind: kind))
        }
        return entries
    }

    private static func kind(of path: String) -> Kind {
        var status = stat()
        guard lstat(path, &status) == 0 else { return .other }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .folder
        case S_IFLNK: return .symlink
        default: return .other
        }
    }
}
