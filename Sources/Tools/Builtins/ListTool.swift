import Events

#if canImport(Glibc)
    import Glibc
#endif

/// `ls`: the entries of one folder, sorted, `/` after folders, `-> target` after symlinks.
struct ListTool: Tool {
    struct Input: ToolInput {
        let path: String?
        let limit: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path, limit
        }

        static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField {
            switch key {
            case .path: ToolField("The folder to list, relative to the workspace root or absolute inside it.", default: ".")
            case .limit: ToolField("The most entries to show.", default: 500, minimum: 1, maximum: 5000)
            }
        }
    }

    let name = "ls"
    let description = """
        List one folder of the workspace: the names of its entries, sorted, with / after folders and -> target \
        after symlinks; hidden entries included. Says how many more there are when the limit cuts the list.
        """
    let tier = ToolTier.read

    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        try await BlockingIO.run { () throws(ToolsError) in try perform(input, context: context) }
    }

    private func perform(_ input: Input, context: ToolContext) throws(ToolsError) -> ToolEnvelope {
        let folder = try context.policy.resolve(input.path ?? ".")
        let limit = input.limit ?? 500
        let (entries, lines) = try AnchoredOpen.withDescriptor(
            folder, in: context.policy, flags: O_RDONLY | O_DIRECTORY, notAFolder: "use read to see it"
        ) { (fd) throws(ToolsError) in
            let entries = try DirectoryEntry.list(fd, shownAs: folder.relative).sorted {
                $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
            }
            let lines = entries.prefix(limit).map { entry -> String in
                switch entry.kind {
                case .folder: return entry.name + "/"
                case .symlink: return "\(entry.name) -> \(DirectoryEntry.linkTarget(entry.name, in: fd) ?? "?")"
                case .file, .other: return entry.name
                }
            }
            return (entries, lines)
        }
        if entries.isEmpty { return .success("", note: "\(folder.relative) is empty") }
        let listing = CappedListing(lines, maxBytes: context.policy.limits.outputBytes)
        guard listing.shown < entries.count else { return .success(listing.text) }
        let more = entries.count - listing.shown
        let hint = listing.shown < lines.count ? "the output reached its size limit" : "raise limit (at most 5000)"
        return .success(
            listing.text, truncated: true,
            note: "showing \(listing.shown) of \(entries.count) entries (\(more) more not shown); \(hint), or use find with a pattern")
    }
}
