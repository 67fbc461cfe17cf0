#if canImport(Glibc)
    import Glibc
#endif

/// A glob of `find`: `*`, `?` and `[...]` within a name (as `fnmatch`), `**` for any number of folders.
///
/// A pattern without `/` is matched against the name alone, at any depth (`*.swift`); a pattern with `/` is
/// matched against the whole path relative to the folder searched (`Sources/**/*.swift`).
struct Glob: Sendable {
    let pattern: String
    private let segments: [String]
    /// Whether the pattern is matched against whole paths rather than names.
    let matchesPaths: Bool

    init(_ pattern: String) {
        var trimmed = Substring(pattern)
        while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        self.pattern = String(trimmed)
        self.segments = trimmed.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        self.matchesPaths = segments.count > 1 || segments.first == "**"
    }

    /// Whether the entry called `name`, at `path` relative to the folder searched, matches.
    func matches(name: String, path: String) -> Bool {
        if !matchesPaths { return fnmatch(pattern, name, 0) == 0 }
        let parts = path.split(separator: "/").map(String.init)
        return Self.match(segments[...], parts[...])
    }

    private static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            for skipped in 0...path.count where match(pattern.dropFirst(), path.dropFirst(skipped)) { return true }
            return false
        }
        guard let head = path.first, fnmatch(first, head, 0) == 0 else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }
}
