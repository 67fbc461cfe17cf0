import Events
import Foundation
import Settings

/// The counts of a test run, read from its log: Swift Testing's per-test lines (`✔ Test … passed`, `✘ Test …
/// failed`, `➜ Test … skipped`) and XCTest's summaries (`Executed N tests, with M failures`).
public struct TestReport: Sendable, Equatable {
    public var passed: Int
    public var failed: Int
    public var skipped: Int

    public init(passed: Int = 0, failed: Int = 0, skipped: Int = 0) {
        self.passed = passed
        self.failed = failed
        self.skipped = skipped
    }

    /// The counts in `log` (a file that may be large: read line by line from its text).
    public init(log text: String) {
        var passed = 0
        var failed = 0
        var skipped = 0
        var xcTests = 0
        var xcFailures = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("✔ Test "), !trimmed.hasPrefix("✔ Test run with"), trimmed.contains(" passed after ") {
                passed += 1
            } else if trimmed.hasPrefix("✘ Test "), !trimmed.hasPrefix("✘ Test run with"), trimmed.contains(" failed after ") {
                failed += 1
            } else if trimmed.hasPrefix("➜ Test "), trimmed.contains(" skipped") {
                skipped += 1
            } else if trimmed.hasPrefix("Executed "), let counts = Self.xcTestSummary(trimmed) {
                xcTests = max(xcTests, counts.tests)
                xcFailures = max(xcFailures, counts.failures)
            }
        }
        self.init(passed: passed + xcTests - xcFailures, failed: failed + xcFailures, skipped: skipped)
    }

    /// `{"passed", "failed", "skipped"}`.
    public var json: JSONValue {
        ["passed": .int(Int64(passed)), "failed": .int(Int64(failed)), "skipped": .int(Int64(skipped))]
    }

    /// `Executed 12 tests, with 1 failure (0 unexpected) in 0.5 (0.5) seconds`.
    private static func xcTestSummary(_ line: Substring) -> (tests: Int, failures: Int)? {
        let words = line.split(separator: " ")
        guard words.count >= 5, let tests = Int(words[1]), let failures = Int(words[4]) else { return nil }
        return (tests, failures)
    }
}
