import Foundation

/// The checkout the test support was built from: its root, and the Python of its `.venv` (`make venv`).
public enum Repository {
    /// The root of the checkout (`AGENT_REPO_ROOT` overrides it).
    public static var root: String {
        if let override = ProcessInfo.processInfo.environment["AGENT_REPO_ROOT"], !override.isEmpty { return override }
        // This file is Sources/TestSupport/Repository.swift.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    /// `.venv/bin/python` at the root, made by `make venv` with `requirements-test.txt`.
    public static var venvPython: String { "\(root)/.venv/bin/python" }
}
