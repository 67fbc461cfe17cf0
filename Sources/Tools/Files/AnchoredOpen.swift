#if canImport(Glibc)
    import Glibc
#endif

/// Opens a resolved path of the workspace by walking down from the workspace root's descriptor, one component at a
/// time (`openat` with `O_NOFOLLOW`), so that a tool opens exactly what the policy checked.
///
/// `ToolPolicy.resolve` gives the real path, symlinks resolved, so no component of it is a symlink. One found
/// during the walk was put there after the check (by a command running at the same time as the call): it is
/// refused, never followed. So there is no gap between the check and the open.
enum AnchoredOpen {
    /// Why a path could not be opened.
    struct Failure: Error {
        enum Reason {
            /// The path (or a folder above it) does not exist.
            case missing
            /// The path is a file where a folder is needed.
            case notAFolder
            /// A component became a symlink or a file after the path was checked.
            case changed
            /// Another error of the system (`errno`).
            case system
        }

        let reason: Reason
        /// The component where the walk stopped, relative to the workspace.
        let at: String
        let errno: Int32

        /// The failure as a tool's error about `path`, with `hint` after a "not a folder".
        func toolsError(_ path: ResolvedPath, notAFolder hint: String = "") -> ToolsError {
            switch reason {
            case .missing: ToolsError(.failed, "\(path.relative): no such file or folder")
            case .notAFolder: ToolsError(.failed, "\(path.relative) is a file, not a folder\(hint.isEmpty ? "" : ": \(hint)")")
            case .changed:
                ToolsError(
                    .failed,
                    "\(at) changed after the path was checked (it is now a symlink or a file): tools never follow a link they "
                        + "did not check; call again")
            case .system: ToolsError(.failed, "cannot open \(path.relative): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Runs `body` with a descriptor of `path` opened with `flags` (plus `O_NOFOLLOW | O_CLOEXEC`), closed after.
    ///
    /// - Parameter creatingFolders: create the missing folders above `path` (not `path` itself).
    static func withDescriptor<T>(
        _ path: ResolvedPath, in policy: ToolPolicy, flags: Int32, creatingFolders: Bool = false, notAFolder hint: String = "",
        _ body: (Int32) throws(ToolsError) -> T
    ) throws(ToolsError) -> T {
        try withParent(of: path, in: policy, creatingFolders: creatingFolders) { (parent, name) throws(ToolsError) -> T in
            let fd = name.isEmpty ? dup(parent) : openat(parent, name, flags | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else {
                throw Failure(reason: reason(of: errno, last: true), at: path.relative, errno: errno).toolsError(path, notAFolder: hint)
            }
            defer { close(fd) }
            return try body(fd)
        }
    }

    /// Runs `body` with a descriptor of the folder holding `path` and the name of `path` in it (empty for the
    /// workspace root, whose descriptor is then given).
    static func withParent<T>(
        of path: ResolvedPath, in policy: ToolPolicy, creatingFolders: Bool = false, _ body: (Int32, String) throws(ToolsError) -> T
    ) throws(ToolsError) -> T {
        var folder = open(policy.workspace, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { throw Failure(reason: .system, at: ".", errno: errno).toolsError(path) }
        defer { close(folder) }
        let components = path.relative == "." ? [] : path.relative.split(separator: "/").map(String.init)
        var walked: [String] = []
        for component in components.dropLast() {
            walked.append(component)
            var next = openat(folder, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && creatingFolders {
                if mkdirat(folder, component, 0o755) != 0 && errno != EEXIST {
                    throw Failure(reason: .system, at: walked.joined(separator: "/"), errno: errno).toolsError(path)
                }
                next = openat(folder, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard next >= 0 else {
                throw Failure(reason: reason(of: errno, last: false), at: walked.joined(separator: "/"), errno: errno).toolsError(path)
            }
            close(folder)
            folder = next
        }
        return try body(folder, components.last ?? "")
    }

    private static func reason(of code: Int32, last: Bool) -> Failure.Reason {
        switch code {
        case ENOENT: .missing
        case ELOOP: .changed
        case ENOTDIR: last ? .notAFolder : .changed
        default: .system
        }
    }
}
