import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The workspace's `.agent-scratch/` folder, where `bash` keeps full outputs.
///
/// It holds a `.gitignore` of `*`, so git ignores the folder and everything in it (the `.gitignore` included):
/// `git add -A` never stages it and it is never part of a patch. Only the newest `keep` outputs are kept. The
/// temporary files of `write` and `edit` are made here too; one left by a crash is removed after an hour. The
/// folder is inside the workspace, where a command may put a symlink: every use goes through a descriptor
/// (`AnchoredOpen`), so the worker's own writes and reads never follow one.
public struct ScratchFolder: Sendable {
    /// The folder's name inside the workspace.
    public static let name = ".agent-scratch"
    /// The folder, symlinks resolved.
    public let path: String
    /// How many commands' outputs are kept.
    public let keep: Int
    private let resolved: ResolvedPath
    private let policy: ToolPolicy

    /// Resolves the folder through `policy`.
    ///
    /// - Throws: `ToolsError` when `.agent-scratch` leads outside the workspace.
    public init(policy: ToolPolicy, keep: Int = 20) throws(ToolsError) {
        self.resolved = try policy.resolve(Self.name)
        self.path = resolved.absolute
        self.policy = policy
        self.keep = keep
    }

    /// Creates the folder and its `.gitignore` when missing, and removes the oldest outputs beyond `keep`.
    ///
    /// - Throws: `ToolsError` `.failed` when the folder cannot be made.
    public func prepare() throws(ToolsError) {
        try AnchoredOpen.withParent(of: resolved, in: policy, creatingFolders: true) { (parent, name) throws(ToolsError) in
            if mkdirat(parent, name, 0o755) != 0 && errno != EEXIST {
                throw ToolsError(.failed, "cannot prepare the scratch folder \(Self.name): \(String(cString: strerror(errno)))")
            }
        }
        try withDescriptor { (folder) throws(ToolsError) in
            let ignore = openat(folder, ".gitignore", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if ignore >= 0 {
                let text = Array("# Full outputs of the agent's commands: never committed, never part of a patch.\n*\n".utf8)
                _ = text.withUnsafeBytes { Glibc.write(ignore, $0.baseAddress, $0.count) }
                close(ignore)
            } else if errno != EEXIST {
                throw ToolsError(.failed, "cannot prepare the scratch folder \(Self.name): \(String(cString: strerror(errno)))")
            }
            prune(folder)
        }
    }

    /// Runs `body` with a descriptor of the folder (which must exist: see `prepare`).
    func withDescriptor<T>(_ body: (Int32) throws(ToolsError) -> T) throws(ToolsError) -> T {
        try AnchoredOpen.withDescriptor(resolved, in: policy, flags: O_RDONLY | O_DIRECTORY, body)
    }

    /// A fresh base name for the outputs of one command: `bash-20260101-120000-1a2b3c`.
    public func newName() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "bash-\(formatter.string(from: Date()))-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    /// Creates an empty output file `name` in the folder, refusing to follow or reuse anything already there, and
    /// returns its descriptor (open for reading and writing; the caller closes it).
    ///
    /// - Throws: `ToolsError` `.failed` when it cannot be made.
    func createFile(_ name: String) throws(ToolsError) -> Int32 {
        try withDescriptor { (folder) throws(ToolsError) in
            let fd = openat(folder, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw ToolsError(.failed, "cannot create \(Self.name)/\(name): \(String(cString: strerror(errno)))")
            }
            return fd
        }
    }

    /// Removes the file `name` of the folder, if it is there.
    func remove(_ name: String) {
        try? withDescriptor { (folder) throws(ToolsError) in _ = unlinkat(folder, name, 0) }
    }

    private func prune(_ folder: Int32) {
        guard let names = try? DirectoryEntry.list(folder, shownAs: Self.name).filter({ $0.kind == .file }).map(\.name) else { return }
        let stale = time(nil) - 3600
        for name in names where name.contains(AtomicFile.temporaryMarker) {
            var status = stat()
            if fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 && status.st_mtim.tv_sec < stale {
                unlinkat(folder, name, 0)
            }
        }
        let outputs = names.filter { $0.hasPrefix("bash-") }.sorted()
        var commands: [String] = []
        for name in outputs {
            let base = String(name.prefix { $0 != "." })
            if commands.last != base { commands.append(base) }
        }
        guard commands.count > keep else { return }
        let old = Set(commands.prefix(commands.count - keep))
        for name in outputs where old.contains(String(name.prefix { $0 != "." })) {
            unlinkat(folder, name, 0)
        }
    }
}
