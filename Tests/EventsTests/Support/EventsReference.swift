import Events
import Foundation

/// Compares the kinds the code can emit with the kinds `docs/events.md` documents.
///
/// The code side is read from the Swift sources: the constants of `EventKind.swift`, the literal kinds passed to
/// `store.append(`, `.event(` and `NewEvent(`, and the literal span names passed to `startSpan(` and `.child(` (with
/// the kinds that open and close those spans). The documentation side is the first cell of every table row that
/// holds one kind in backticks; a row whose second cell starts with `not emitted yet` is reserved.
struct EventsReference {
    /// What the sources can emit.
    struct Emitted {
        var kinds: Set<String> = []
        /// `file: literal` for each kind built by interpolation, which this reading cannot see.
        var interpolated: [String] = []
    }

    /// What the page documents.
    struct Documented {
        /// Kinds documented as emitted, in the order of the page.
        var emitted: [String] = []
        /// Kinds named by the SPEC whose row says they are not emitted yet.
        var reserved: [String] = []
    }

    /// The folders of `Sources/` whose kinds go to databases of their own (doubles, fixtures, benchmarks).
    static let excludedFolders = ["TestSupport", "Fixtures", "Benchmarks"]

    /// Adds what one Swift file can emit to `emitted`.
    static func scan(_ source: String, file: String, into emitted: inout Emitted) {
        if file.hasSuffix("EventKind.swift") {
            for match in source.matches(of: constantPattern) { emitted.kinds.insert(String(match.output.1)) }
        }
        for match in source.matches(of: kindArgumentPattern) {
            let literal = String(match.output.1)
            if literal.contains("\\(") {
                emitted.interpolated.append("\(file): \"\(literal)\"")
            } else {
                emitted.kinds.insert(literal)
            }
        }
        for match in source.matches(of: spanNamePattern) {
            let literal = String(match.output.1)
            if literal.contains("\\(") {
                emitted.interpolated.append("\(file): \"\(literal)\"")
                continue
            }
            let opening = "\(literal).started"
            emitted.kinds.insert(opening)
            emitted.kinds.formUnion(EventKind.closingKinds(of: opening) ?? [])
        }
    }

    /// Reads every Swift file under `sourcesRoot` except the excluded folders.
    static func scanSources(at sourcesRoot: String) throws -> Emitted {
        var emitted = Emitted()
        let root = URL(fileURLWithPath: sourcesRoot)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return emitted }
        for case let url as URL in walker {
            let relative = String(url.path.dropFirst(root.path.count + 1))
            if excludedFolders.contains(where: { relative.hasPrefix($0 + "/") }) { continue }
            guard url.pathExtension == "swift" else { continue }
            scan(try String(contentsOf: url, encoding: .utf8), file: "Sources/" + relative, into: &emitted)
        }
        return emitted
    }

    /// The kinds of the page's table rows.
    static func documented(in markdown: String) -> Documented {
        var documented = Documented()
        for line in markdown.split(separator: "\n") {
            guard let match = line.wholeMatch(of: rowPattern) else { continue }
            let kind = String(match.output.1)
            guard EventKind.isWellFormed(kind) else { continue }
            if match.output.2.trimmingCharacters(in: .whitespaces).hasPrefix("not emitted yet") {
                documented.reserved.append(kind)
            } else {
                documented.emitted.append(kind)
            }
        }
        return documented
    }

    /// Every disagreement between the code and the page, one sentence each; empty when they agree.
    static func problems(emitted: Emitted, documented: Documented) -> [String] {
        var problems: [String] = []
        let all = documented.emitted + documented.reserved
        for kind in Set(all) where all.filter({ $0 == kind }).count > 1 {
            problems.append("\(kind) has more than one row in docs/events.md")
        }
        let listed = Set(all)
        for kind in emitted.kinds.subtracting(listed).sorted() {
            problems.append("\(kind) is emitted by the code but not documented in docs/events.md: add a row with its payload fields")
        }
        for kind in Set(documented.reserved).intersection(emitted.kinds).sorted() {
            problems.append("\(kind) is emitted now but docs/events.md lists it as not emitted yet: move its row and give its fields")
        }
        for kind in Set(documented.emitted).subtracting(emitted.kinds).sorted() {
            problems.append("\(kind) is documented in docs/events.md but nothing in Sources/ emits it any more")
        }
        for literal in emitted.interpolated {
            problems.append("an event kind built by interpolation cannot be checked against docs/events.md: spell it out (\(literal))")
        }
        return problems
    }

    nonisolated(unsafe) private static let constantPattern = #/static\s+let\s+\w+\s*=\s*"([^"]+)"/#
    nonisolated(unsafe) private static let kindArgumentPattern = #/(?:[sS]tore\.append|\.event|NewEvent)\(\s*"([^"]*)"/#
    nonisolated(unsafe) private static let spanNamePattern = #/(?:startSpan|\.child)\(\s*"([^"]*)"/#
    nonisolated(unsafe) private static let rowPattern = #/\|\s*`([^`]+)`\s*\|([^|]*)\|.*/#
}
