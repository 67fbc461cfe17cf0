import Events
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("Event store", .timeLimit(.minutes(1)))
struct EventStoreTests {
    let folder = TemporaryDirectory()

    func makeStore(secrets: [String] = []) throws -> EventStore {
        EventStore(
            database: try Database(path: folder.file("agent.db")),
            identity: EventIdentity(source: .worker, pid: 4242, rev: "abc123", instance: 7),
            secrets: secrets)
    }

    @Test("an appended event reads back with the writer's identity")
    func appendAndRead() throws {
        let store = try makeStore()
        let id = try store.append("telegram.update_received", chat: 99, payload: ["update_id": 5])
        let event = try #require(try EventReader(database: store.database).event(id: id))
        #expect(event.kind == "telegram.update_received")
        #expect(event.source == "worker")
        #expect(event.pid == 4242)
        #expect(event.rev == "abc123")
        #expect(event.instance == 7)
        #expect(event.chatID == 99)
        #expect(event.level == "info")
        #expect(event.payloadObject == ["update_id": 5])
    }

    @Test("spans nest: children and the closing event point at the opening event; a run's id is its own run_id")
    func spansNest() throws {
        let store = try makeStore()
        let process = try store.startSpan("process", parent: nil)
        let run = try store.startRun(parent: process.id, chat: 5, payload: ["update_id": 1])
        let turn = try run.child("turn", payload: ["n": 1])
        try turn.event("model.completed", payload: ["input_tokens": 10])
        try turn.complete(["n": 1])
        try run.fail(["reason": "test"])

        let reader = EventReader(database: store.database)
        let started = try #require(try reader.event(id: run.id))
        #expect(started.runID == run.id)
        #expect(started.parentID == process.id)
        let children = try reader.children(of: run.id)
        #expect(children.map(\.kind) == ["turn.started", "agent.failed"])
        #expect(children.allSatisfy { $0.runID == run.id && $0.chatID == 5 })
        #expect(children.last?.level == "error")
        #expect(try reader.children(of: turn.id).map(\.kind) == ["model.completed", "turn.completed"])
        #expect(try reader.subtree(rootID: process.id).count == 6)
    }

    @Test("two runs opened one after the other get distinct run ids equal to their own ids")
    func runIdsAreOwnIds() throws {
        let store = try makeStore()
        try store.append("test.filler")
        let first = try store.startRun(parent: nil, chat: 1)
        let second = try store.startRun(parent: nil, chat: 1)
        #expect(first.runID == first.id)
        #expect(second.runID == second.id)
        #expect(second.id == first.id + 1)
        try store.append("test.after")
        #expect(try store.database.query("SELECT MAX(id) FROM events").first?[0].int64 == second.id + 1)
    }

    @Test(
        "malformed kinds are refused",
        arguments: ["", "agent", "Agent.Started", "agent..started", "agent.started.", ".agent", "agent started", "1agent.x"])
    func malformedKinds(kind: String) throws {
        let store = try makeStore()
        let error = #expect(throws: EventsError.self) { try store.append(kind) }
        #expect(error?.code == .invalidInput)
    }

    @Test("well-formed kinds", arguments: ["agent.started", "tool_call.completed", "update.build.started", "crash_loop.detected"])
    func wellFormedKinds(kind: String) {
        #expect(EventKind.isWellFormed(kind))
    }

    @Test("a payload given as text must be a JSON object")
    func payloadTextMustBeObject() throws {
        let store = try makeStore()
        for text in ["not json", "[1,2]", "42", "{\"a\":"] {
            let error = #expect(throws: EventsError.self) { try store.append("test.raw", payloadJSON: text) }
            #expect(error?.code == .invalidInput)
        }
        let id = try store.append("test.raw", payloadJSON: #"{"a": [1, "b"]}"#)
        #expect(try EventReader(database: store.database).event(id: id)?.payloadObject == ["a": [1, "b"]])
    }

    @Test("texts over 8 KiB are cut and flagged; secrets never reach a row")
    func payloadIsSanitized() throws {
        let secret = "123456:SECRET-token-value"
        let store = try makeStore(secrets: [secret])
        let long = String(repeating: "é", count: 6000)  // 12,000 bytes
        let id = try store.append("test.big", payload: ["text": .string(long), "nested": ["url": .string("https://x/bot\(secret)/getMe")]])
        let event = try #require(try EventReader(database: store.database).event(id: id))
        let payload = try #require(event.payloadObject)
        #expect(payload["payload_truncated"] == true)
        let cut = try #require(payload["text"]?.stringValue)
        #expect(cut.utf8.count <= PayloadSanitizer.maxTextBytes)
        #expect(cut.utf8.count > PayloadSanitizer.maxTextBytes - 2)
        #expect(!event.payload.contains(secret))
        #expect(payload["nested"]?["url"]?.stringValue == "https://x/bot[REDACTED]/getMe")
        let all = try store.database.query("SELECT group_concat(payload) FROM events").first?[0].string ?? ""
        #expect(!all.contains(secret))
    }

    @Test("a batch is one transaction: an invalid event stores none of them")
    func batchIsAtomic() throws {
        let store = try makeStore()
        #expect(throws: EventsError.self) {
            try store.append(batch: [NewEvent("test.ok"), NewEvent("Bad Kind")])
        }
        #expect(try store.database.query("SELECT COUNT(*) FROM events").first?[0].int64 == 0)
        let ids = try store.append(batch: (0..<100).map { NewEvent("test.ok", payload: ["i": .int(Int64($0))]) })
        #expect(ids == Array(1...100).map(Int64.init))
    }

    @Test("a full disk is a clear, transient error: nothing is half-written and writing resumes when space returns")
    func fullDisk() throws {
        let store = try makeStore()
        try store.append("test.before")
        let pages = try store.database.query("PRAGMA page_count").first?[0].int64 ?? 0
        try store.database.read { connection throws(EventsError) in
            try connection.execute("PRAGMA max_page_count = \(pages + 2)")
        }
        var failure: EventsError?
        for index in 0..<10_000 {
            do {
                try store.append("test.filling", payload: ["i": .int(Int64(index)), "pad": .string(String(repeating: "x", count: 500))])
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.code == .diskFull)
        #expect(error.isTransient)
        #expect(error.message.contains("disk full"))
        #expect(try store.database.query("PRAGMA integrity_check").first?[0].string == "ok")
        try store.database.read { connection throws(EventsError) in
            try connection.execute("PRAGMA max_page_count = 1073741823")
        }
        try store.append("test.after")
        #expect(try EventReader(database: store.database).latest(kind: "test.after") != nil)
    }

    @Test("the three derived states answer as SPEC section 2 defines them")
    func derivedStates() throws {
        let store = try makeStore()
        let state = DerivedState(database: store.database)
        #expect(try state.telegramOffset(botID: 1) == 0)
        #expect(try state.currentGoodRev() == nil)
        #expect(try state.workerInstanceSeq() == 0)

        try store.database.write { connection throws(EventsError) in
            // Bot 1's ids restart lower after 12, as Telegram's may after a week without updates: the newest by
            // insertion counts, not the largest.
            for (bot, update) in [(1, 10), (1, 12), (2, 500), (1, 7)] {
                try connection.execute(
                    "INSERT INTO inbox (bot_id, update_id, raw, received_at, updated_at) VALUES (?, ?, '{}', 0, 0)",
                    [.integer(Int64(bot)), .integer(Int64(update))])
            }
        }
        try store.append(EventKind.revisionPromoted, payload: ["rev": "aaa"])
        try store.append(EventKind.workerSpawned, payload: ["instance": 1])
        try store.append(EventKind.workerSpawned, payload: ["instance": 2])
        try store.append(EventKind.revisionPromoted, payload: ["rev": "bbb"])

        #expect(try state.telegramOffset(botID: 1) == 8)
        #expect(try state.telegramOffset(botID: 2) == 501)
        #expect(try state.telegramOffset(botID: 3) == 0)
        #expect(try state.currentGoodRev() == "bbb")
        #expect(try state.workerInstanceSeq() == 2)
    }

    @Test("a row written by another tool with a non-JSON payload reads back as an object flagging it")
    func foreignRowsStayReadable() throws {
        let store = try makeStore()
        try store.database.execute(
            "INSERT INTO events (ts, kind, source, level, payload) VALUES (1, 'x.y', 'worker', 'info', 'not json {')")
        try store.database.execute(
            "INSERT INTO events (ts, kind, source, level, payload) VALUES (1, 'x.y', 'worker', 'info', '[1,2]')")
        let events = try EventReader(database: store.database).newest(matching: EventFilter(), limit: nil).events
        #expect(events[0].payloadObject == ["payload_invalid": true, "raw": "not json {"])
        #expect(events[1].payloadObject == ["value": [1, 2]])
    }

    @Test(
        "a time filter finds its first row by bisection over the ids, gaps included",
        arguments: [0, 1, 999, 1000, 1001, 2500, 4990, 5000, 9999])
    func timeFilter(since: Int64) throws {
        let clock = Mutex<Int64>(0)
        let store = EventStore(
            database: try Database(path: folder.file("agent.db")), identity: EventIdentity(source: .worker),
            now: {
                clock.withLock {
                    $0 += 10; return $0
                }
            })
        for _ in 0..<500 { try store.append("test.timed") }
        try store.database.execute("DELETE FROM events WHERE id % 7 = 0")  // Gaps, as pruning would leave.
        let expected = try store.database.query("SELECT id FROM events WHERE ts >= ? ORDER BY id", [.integer(since)]).map { $0[0].int64! }
        let found = try EventReader(database: store.database).newest(matching: EventFilter(minimumTimestamp: since), limit: nil).events.map(
            \.id)
        #expect(found == expected)
    }
}
