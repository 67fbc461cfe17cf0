import Events
import Foundation
import TestSupport
import Testing

/// The worker's checkpoints run on a thread of their own: the WAL stays small although no commit runs one.
@Suite("Background checkpoints", .timeLimit(.minutes(2)))
struct BackgroundCheckpointTests {
    /// Writes about 40 MB of WAL frames in bursts with pauses between them (as a worker does, message by message)
    /// and returns the largest WAL file seen.
    func largestWAL(checkpoints: Database.Checkpoints) async throws -> Int {
        let folder = TemporaryDirectory()
        let path = folder.file("agent.db")
        let database = try Database(path: path, checkpoints: checkpoints)
        try database.execute("CREATE TABLE filler (bytes BLOB)")
        var largest = 0
        for _ in 0..<25 {
            // About 4 pages a transaction, 100 transactions a burst.
            for _ in 0..<100 { try database.execute("INSERT INTO filler VALUES (zeroblob(16000))") }
            let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            largest = max(largest, size)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try database.query("SELECT COUNT(*) FROM filler").first?[0].int64 == 2500)
        return largest
    }

    @Test("with background checkpoints the WAL stays near its threshold; SQLite's own would let it grow tenfold")
    func walStaysSmall() async throws {
        let background = try await largestWAL(checkpoints: .background)
        let pageBytes = 4096 + 24
        #expect(background < 4 * Int(Database.backgroundCheckpointPages) * pageBytes, "WAL reached \(background) bytes")
        let automatic = try await largestWAL(checkpoints: .automatic)
        #expect(automatic > background * 2, "automatic \(automatic), background \(background)")
    }
}
