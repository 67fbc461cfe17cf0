import Foundation

/// The environment a test gives a child process: only what it needs, plus `PATH` and `HOME`.
public enum TestEnvironment {
    /// A minimal environment merged with `extra` (which wins).
    public static func make(_ extra: [String: String] = [:]) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": inherited["HOME"] ?? "/tmp",
            "LANG": "C.UTF-8",
        ]
        environment.merge(extra) { _, new in new }
        return environment
    }
}
