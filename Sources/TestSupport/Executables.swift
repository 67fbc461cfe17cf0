import Foundation

/// Where the built executables of the package are, for tests that start them as child processes.
///
/// The test bundle lives in the same build folder as the executables; `AGENT_BIN_DIR` overrides it.
public enum Executables {
    /// The build folder holding the executables.
    public static let directory: String = {
        if let override = ProcessInfo.processInfo.environment["AGENT_BIN_DIR"], !override.isEmpty { return override }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("agent-log").path) {
                return url.path
            }
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug"
    }()

    /// The absolute path of the executable `name` (`agent-log`, `agent-worker`, ...).
    public static func path(_ name: String) -> String { "\(directory)/\(name)" }
}
