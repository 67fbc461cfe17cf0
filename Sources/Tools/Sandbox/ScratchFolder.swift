import Foundation

/// The workspace's `.agent-scratch/` folder, where `bash` keeps full outputs.
///
/// It holds a `.gitignore` of `*`, so git ignores the folder and everything in it (the `.gitignore` included):
/// `git add -A` never stages it and it is never part of a patch. Only the newest `keep` outputs are kept. The
/// temporary files of `write` and `edit` are made here too; one left by a crash is removed after an hour.
public struct ScratchFolder: Sendable {
    /// The folder's name inside the workspace.
    public static let name = ".agent-scratch"
    /// The folder, symlinks resolved: a symlink the agent put there cannot lead the worker's writes elsewhere.
    public let path: String
    /// How many commands' outputs are kept.
    public let keep: Int

    /// Resolves the folder through `policy`.
    ///
    /// - Throws: `ToolsError` when `.agent-scratch` leads outside the workspace.
    public init(policy: ToolPolicy, keep: Int = 20) throws(ToolsError) {
        self.path = try policy.resolve(Self.name).absolute
        self.keep = keep
    }

    /// Creates the folder and its `.gitignore` when missing, and removes the oldest outputs beyond `keep`.
    ///
    /// - Throws: `ToolsError` `.failed` when the folder cannot be made.
    public func prepare() throws(ToolsError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            let ignore = "\(path)/.gitignore"
            if !manager.fileExists(atPath: ignore) {
                try Data("# Full outputs of the agent's commands: never committed, never part of a patch.\n*\n".utf8)
                    .write(to: URL(fileURLWithPath: ignore))
            }
        } catch {
            throw ToolsError(.failed, "cannot prepare the scratch folder \(Self.name): \(error.localizedDescription)")
        }
        prune()
    }

    /// A fresh base name for the outputs of one command: `bash-20260101-120000-1a2b3c`.
    public func newName() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "bash-\(formatter.string(from: Date()))-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    /// Creates an empty output file `name` in the folder, refusing to follow or reuse anything already there.
    ///
    /// - Throws: `ToolsError` `.failed` when it cannot be made.
    public func createFile(_ name: String) throws(ToolsError) -> String {
        let file = "\(path)/\(name)"
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ToolsError(.failed, "cannot create \(Self.name)/\(name): \(String(cString: strerror(errno)))")
        }
        close(fd)
        return file
    }

    private func prune() {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: path) else { return }
        let stale = Date().addingTimeInterval(-3600)
        for name in names where name.contains(AtomicFile.temporaryMarker) {
            let file = "\(path)/\(name)"
            if let modified = try? manager.attributesOfItem(atPath: file)[.modificationDate] as? Date, modified < stale {
                try? manager.removeItem(atPath: file)
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
            try? manager.removeItem(atPath: "\(path)/\(name)")
        }
    }
}
