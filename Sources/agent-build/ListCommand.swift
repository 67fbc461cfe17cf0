import ArgumentParser
import Events
import Foundation
import Revisions
import UpdatePipeline

/// `agent-build list [--json]`: the newest artifacts first.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the artifacts, newest first.")

    @Flag(help: "One JSON object per line.")
    var json = false

    @Option(name: .shortAndLong, help: "How many.")
    var limit = 20

    func run() async throws {
        let records = try PipelineContext.open().catalog.list(limit: limit)
        for record in records {
            if json {
                print(record.json.serialized)
            } else {
                print(
                    "\(record.id)\t\(record.status.rawValue)\t\(record.rev.map { String($0.prefix(12)) } ?? "-")\t\(Self.date(record.createdAt))\t\(Self.tests(record.metadata["tests"]))"
                )
            }
        }
    }

    /// The test counts, or `tests not run` (a `--binary` stage runs none).
    static func tests(_ tests: JSONValue?) -> String {
        guard let tests else { return "" }
        if tests["ran"] == false { return "tests not run" }
        return "\(tests["passed"]?.int64Value ?? 0) passed, \(tests["failed"]?.int64Value ?? 0) failed"
    }

    static func date(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}

/// `agent-build show REV|ID [--json]`.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one artifact: its row and metadata.")

    @Argument(help: "The artifact: its id, its rev, or an unambiguous prefix of the rev.")
    var reference: String

    @Flag(help: "As one JSON object.")
    var json = false

    func run() async throws {
        let record = try PipelineContext.open().catalog.find(reference)
        if json {
            print(record.json.serialized)
            return
        }
        print("artifact \(record.id): \(record.status.rawValue)")
        print("rev: \(record.rev ?? "-")")
        print("source commit: \(record.sourceCommit ?? "-")")
        print("patch sha256: \(record.patchSHA256 ?? "-")")
        print("path: \(record.path ?? "-")")
        if let reason = record.reason { print("reason: \(reason)") }
        print("metadata: \(JSONValue.object(record.metadata).serialized)")
    }
}
