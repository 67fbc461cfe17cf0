import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@Suite("Several processes writing one file", .timeLimit(.minutes(2)))
struct ConcurrentWritersTests {
    @Test("four processes append 5,000 events each at once: 20,000 rows, ids strictly increasing, no busy error")
    func fourWriters() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("agent.db")
        _ = try Database(path: path)  // Created up front so that the four start on an initialised file.
        let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    try await ProcessRunner.run(
                        ProcessSpec(
                            executable: Executables.path("event-writer"),
                            arguments: [
                                "--db", path, "--count", "5000", "--kind", "test.concurrent", "--payload", "{\"writer\":\(writer)}",
                            ],
                            environment: TestEnvironment.make()),
                        timeout: .seconds(120))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for result in results {
            #expect(result.status == .exited(0), "\(result.standardError)")
            #expect(result.standardError.isEmpty)
        }
        let database = try Database(path: path, mode: .readOnly)
        let rows = try database.query(
            "SELECT id, json_extract(payload, '$.writer'), json_extract(payload, '$.seq') FROM events ORDER BY id")
        #expect(rows.count == 20_000)
        #expect(rows.map { $0[0].int64! } == Array(1...20_000).map(Int64.init))
        var lastSeq: [Int64: Int64] = [:]
        for row in rows {
            let writer = row[1].int64!
            let seq = row[2].int64!
            #expect(seq == (lastSeq[writer] ?? -1) + 1, "writer \(writer) wrote seq \(seq) out of order")
            lastSeq[writer] = seq
        }
        #expect(lastSeq == [0: 4999, 1: 4999, 2: 4999, 3: 4999])
    }

    @Test("a writer in a folder it cannot write gets one clear line, not a crash")
    func unwritableFolder() async throws {
        let folder = TemporaryDirectory()
        chmod(folder.path, 0o555)
        defer { chmod(folder.path, 0o755) }
        // Root with its capabilities ignores permissions: drop to nobody for the child then (root without them, as
        // in a stage's fenced test step, is refused like anyone).
        var command = [Executables.path("event-writer"), "--db", folder.file("agent.db")]
        if access(folder.path, W_OK) == 0 {
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + command
        }
        let result = try await ProcessRunner.run(
            ProcessSpec(executable: command[0], arguments: Array(command.dropFirst()), environment: TestEnvironment.make()))
        #expect(result.status == .exited(1))
        #expect(result.standardError.contains("is not writable"))
        #expect(result.standardError.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.file("agent.db")))
    }
}
