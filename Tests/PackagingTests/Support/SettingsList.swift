import Foundation

/// The settings named by `.env.example`, and what the sources and `compose.yaml` say about them.
struct SettingsList {
    /// Every `NAME=` line, commented or not.
    var settings: Set<String> = []
    /// The names of the `# internal:` line: variables the programs set for each other, or tests set.
    var internalNames: Set<String> = []

    init(envExample: String) {
        for line in envExample.split(separator: "\n") {
            if let match = line.wholeMatch(of: Self.settingLine) {
                settings.insert(String(match.output.1))
            } else if let match = line.wholeMatch(of: Self.internalLine) {
                internalNames.formUnion(match.output.1.split(separator: " ").map(String.init))
            }
        }
    }

    /// The folders of `Sources/` that only tests and benchmarks run.
    static let testOnlyFolders = ["TestSupport", "Fixtures", "Benchmarks"]

    /// Every `"AGENT_..."`, `"TELEGRAM_..."` and `"OPENAI_..."` string literal of the programs' sources.
    static func variablesRead(underSources root: String) throws -> Set<String> {
        var names: Set<String> = []
        let rootURL = URL(fileURLWithPath: root)
        guard let walker = FileManager.default.enumerator(at: rootURL, includingPropertiesForKeys: nil) else { return names }
        for case let url as URL in walker where url.pathExtension == "swift" {
            let relative = String(url.path.dropFirst(rootURL.path.count + 1))
            if testOnlyFolders.contains(where: { relative.hasPrefix($0 + "/") }) { continue }
            let source = try String(contentsOf: url, encoding: .utf8)
            for match in source.matches(of: variableLiteral) { names.insert(String(match.output.1)) }
        }
        return names
    }

    /// The `environment:` mapping of compose.yaml's services: name -> the value as written.
    static func composeEnvironment(_ yaml: String) -> [String: String] {
        var environment: [String: String] = [:]
        var inEnvironment = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix { $0 == " " }.count
            let content = line.trimmingCharacters(in: .whitespaces)
            if content.isEmpty || content.hasPrefix("#") { continue }
            if content == "environment:" {
                inEnvironment = true
                continue
            }
            guard inEnvironment else { continue }
            guard indent >= 6, let match = content.wholeMatch(of: composeEntry) else {
                inEnvironment = false
                continue
            }
            environment[String(match.output.1)] = String(match.output.2)
        }
        return environment
    }

    nonisolated(unsafe) private static let settingLine = #/#?\s*([A-Z][A-Z0-9_]*)=.*/#
    nonisolated(unsafe) private static let internalLine = #/#\s*internal:\s*(.*)/#
    nonisolated(unsafe) private static let variableLiteral = #/"((?:AGENT|TELEGRAM|OPENAI)_[A-Z0-9_]+)"/#
    nonisolated(unsafe) private static let composeEntry = #/([A-Z][A-Z0-9_]*):\s*(.*)/#
}
