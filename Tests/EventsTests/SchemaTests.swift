import Events
import Foundation
import TestSupport
import Testing

@Suite("Schema migrations", .timeLimit(.minutes(1)))
struct SchemaTests {
    @Test("migrating twice changes nothing and keeps the rows")
    func migrationIsIdempotent() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("agent.db")
        do {
            let store = EventStore(database: try Database(path: path), identity: EventIdentity(source: .worker))
            try store.append("test.one")
        }
        let reopened = try Database(path: path)
        let version = try reopened.query("PRAGMA user_version").first?[0].int64
        #expect(version == Schema.current.userVersion)
        #expect(try reopened.query("SELECT COUNT(*) FROM events").first?[0].int64 == 1)
        let tables = try reopened.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0[0].string }
        #expect(Set(tables).isSuperset(of: ["events", "inbox", "messages", "outbox", "artifacts"]))
    }

    @Test("a writer sets WAL, foreign keys and the busy timeout")
    func writerPragmas() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("agent.db"))
        try database.read { connection throws(EventsError) in
            #expect(try connection.scalar("PRAGMA journal_mode").string == "wal")
            #expect(try connection.scalar("PRAGMA foreign_keys").int64 == 1)
            #expect(try connection.scalar("PRAGMA synchronous").int64 == 1)
            #expect((try connection.scalar("PRAGMA busy_timeout").int64 ?? 0) >= 5000)
        }
    }

    @Test("a newer major schema is refused with a clear message")
    func newerMajorIsRefused() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("agent.db")
        try Database(path: path).execute("PRAGMA user_version = \(Schema.current.userVersion + 1000)")
        for mode in [Database.Mode.readWrite, .readOnly] {
            let error = #expect(throws: EventsError.self) { try Database(path: path, mode: mode) }
            #expect(error?.code == .newerMajorSchema)
            #expect(error?.message.contains("newer than") == true)
        }
    }

    @Test("a newer minor schema with an added column is accepted by writers and readers")
    func newerMinorIsAccepted() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("agent.db")
        let newer = Schema.current.userVersion + 1
        do {
            let database = try Database(path: path)
            try database.execute("ALTER TABLE events ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'")
            try database.execute("PRAGMA user_version = \(newer)")
        }
        let store = EventStore(database: try Database(path: path), identity: EventIdentity(source: .build))
        let id = try store.append("test.after_minor")
        #expect(try store.database.query("PRAGMA user_version").first?[0].int64 == newer)
        let reader = EventReader(database: try Database(path: path, mode: .readOnly))
        #expect(try reader.event(id: id)?.kind == "test.after_minor")
    }

    @Test("a reader neither creates nor migrates a database")
    func readerNeverWrites() throws {
        let folder = TemporaryDirectory()
        let missing = folder.file("missing.db")
        let error = #expect(throws: EventsError.self) { try Database(path: missing, mode: .readOnly) }
        #expect(error?.code == .cannotOpen)
        #expect(!FileManager.default.fileExists(atPath: missing))

        let blank = folder.file("blank.db")
        _ = FileManager.default.createFile(atPath: blank, contents: nil)
        let blankError = #expect(throws: EventsError.self) { try Database(path: blank, mode: .readOnly) }
        #expect(blankError?.code == .notInitialized)
        #expect((try? Data(contentsOf: URL(fileURLWithPath: blank)).count) == 0)
    }
}
