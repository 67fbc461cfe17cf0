import Events

#if canImport(Glibc)
    import Glibc
#endif

/// `find`: the files and folders whose names (or paths) match a glob, skipping `.git` and `.build`.
struct FindTool: Tool {
    struct Input: ToolInput {
        let pattern: String
        let path: String?
        let limit: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case pattern, path, limit
        }

        static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField {
            switch key {
            case .pattern:
                ToolField(
                    "A glob: *, ? and [abc] match within a name; ** matches any number of folders. Without / it is matched "
                        + "against names at any depth (*.swift); with / against the path below `path` (Sources/**/*.swift).")
            case .path: ToolField("The folder to search, relative to the workspace root or absolute inside it.", default: ".")
            case .limit: ToolField("The most paths to show.", default: 1000, minimum: 1, maximum: 10000)
            }
        }
    }

    /// Folders never entered.
    static let skipped: Set<String> = [".git", ".build"]

    let name = "find"
    let description = """
        Find files and folders by glob below a folder of the workspace, skipping .git and .build; symlinks are \
        listed, not followed. Prints paths relative to the workspace root, sorted, / after folders, and says how \
        many more there are when the limit cuts the list.
        """
    let tier = ToolTier.read

    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        try await BlockingIO.run { () throws(ToolsError) in try perform(input, context: context) }
    }

    private func perform(_ input: Input, context: ToolContext) throws(ToolsError) -> ToolEnvelope {
        let root = try context.policy.resolve(input.path ?? ".")
        let limit = input.limit ?? 1000
        let glob = Glob(input.pattern)
        guard !glob.pattern.isEmpty else { throw ToolsError(.failed, "the pattern is empty; use * to match every name") }
        let prefix = root.relative == "." ? "" : root.relative + "/"
        var matches: [String] = []
        try AnchoredOpen.withDescriptor(
            root, in: context.policy, flags: O_RDONLY | O_DIRECTORY, notAFolder: "give find the folder to search"
        ) { (fd) throws(ToolsError) in
            // Each folder is opened from its parent's descriptor without following links, so the walk never
            // leaves the tree it started in; only the folders on the current path are held open.
            var pending: [(parent: OpenFolder, name: String?, below: String)] = [(OpenFolder(dup(fd)), nil, "")]
            while let (parent, name, below) = pending.popLast() {
                let folder = name.map { OpenFolder(openat(parent.fd, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) } ?? parent
                guard folder.fd >= 0, let entries = try? DirectoryEntry.list(folder.fd, shownAs: below) else { continue }
                for entry in entries {
                    let path = below.isEmpty ? entry.name : below + "/" + entry.name
                    let isFolder = entry.kind == .folder
                    if isFolder && Self.skipped.contains(entry.name) { continue }
                    if glob.matches(name: entry.name, path: path) {
                        matches.append(prefix + path + (isFolder ? "/" : ""))
                    }
                    if isFolder { pending.append((folder, entry.name, path)) }
                }
            }
        }
        if matches.isEmpty {
            return .success("", note: "nothing below \(root.relative) matches \(glob.pattern) (.git and .build are skipped)")
        }
        matches.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let listing = CappedListing(Array(matches.prefix(limit)), maxBytes: context.policy.limits.outputBytes)
        guard listing.shown < matches.count else { return .success(listing.text) }
        return .success(
            listing.text, truncated: true,
            note: "showing \(listing.shown) of \(matches.count) matches (\(matches.count - listing.shown) more not shown); "
                + "narrow the pattern or the path, or raise limit (at most 10000)")
    }
}

/// A folder descriptor of a walk, closed when the last entry waiting to be entered below it is gone.
private final class OpenFolder {
    let fd: Int32

    init(_ fd: Int32) {
        self.fd = fd
    }

    deinit {
        if fd >= 0 { close(fd) }
    }
}
