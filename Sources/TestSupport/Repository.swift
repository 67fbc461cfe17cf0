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

    /// Whether the tests that need `.venv` (the official Python clients) run: yes unless `AGENT_SKIP_PYTHON_TESTS`
    /// is `1`, for a test run in a copy of the source that has no `.venv` (the build pipeline's). When they run
    /// and `.venv` is missing, they fail.
    public static var runsPythonTests: Bool { ProcessInfo.processInfo.environment["AGENT_SKIP_PYTHON_TESTS"] != "1" }
}
