import Events
import LogViewer
import Synchronization
import TestSupport
import Testing

@Suite("Event trees", .timeLimit(.minutes(1)))
struct EventTreeTests {
    /// A process, a run with two turns (one closed, one left open as by a crash), tool calls and model calls.
    func writeRun(to store: EventStore) throws -> (process: Int64, run: Int64, openTurn: Int64) {
        let process = try store.startSpan("process", parent: nil, payload: ["program": "agent-worker"])
        let run = try store.startRun(parent: process.id, chat: 7)
        let first = try run.child("turn", payload: ["n": 1])
        try first.event("model.completed", payload: ["input_tokens": 100, "output_tokens": 20])
        let tool = try first.child("tool_call", payload: ["tool": "ls"])
        try tool.complete(["exit_code": 0])
        try first.complete(["n": 1])
        let second = try run.child("turn", payload: ["n": 2])
        try second.event("model.completed", payload: ["input_tokens": 150, "output_tokens": nil])
        return (process.id, run.id, second.id)
    }

    @Test("a three-level run is rebuilt with durations, token totals and its unfinished spans")
    func threeLevels() throws {
        let folder = TemporaryDirectory()
        let database = try Database(path: folder.file("agent.db"))
        // Timestamps 10 ms apart, so every duration is known exactly.
        let clock = TickingClock()
        let store = EventStore(database: database, identity: EventIdentity(source: .worker), now: { clock.tick() })
        let ids = try writeRun(to: store)

        let root = try #require(EventTree.build(try TreeLoader(database: database).entries(rootID: ids.process)))
        #expect(root.event.kind == "process.started")
        #expect(root.unfinished)
        #expect(root.durationMilliseconds == nil)
        let run = try #require(root.children.first)
        #expect(run.event.id == ids.run)
        #expect(run.unfinished)
        #expect(run.inputTokens == 250)
        #expect(run.outputTokens == 20)
        #expect(run.children.map(\.event.kind) == ["turn.started", "turn.started"])
        let closed = run.children[0]
        #expect(!closed.unfinished)
        #expect(closed.durationMilliseconds == 40)  // turn.started at t, turn.completed four events later.
        #expect(closed.children.map(\.event.kind) == ["model.completed", "tool_call.started", "turn.completed"])
        #expect(closed.children[1].durationMilliseconds == 10)
        #expect(!closed.children[0].opensSpan)
        #expect(!closed.children[0].unfinished)
        let open = run.children[1]
        #expect(open.event.id == ids.openTurn)
        #expect(open.unfinished)
        #expect(open.durationMilliseconds == nil)
    }

    @Test("the text view draws the hierarchy and marks what is unfinished")
    func textView() throws {
        let folder = TemporaryDirectory()
        let store = EventStore(database: try Database(path: folder.file("agent.db")), identity: EventIdentity(source: .worker))
        let ids = try writeRun(to: store)
        let root = try #require(EventTree.build(try TreeLoader(database: store.database).entries(rootID: ids.process)))
        let text = TreeRenderer(formatter: EventFormatter(terminal: Terminal(colors: false))).text(root)
        let lines = text.split(separator: "\n").map(String.init)
        try #require(lines.count == 9)
        #expect(lines[0].hasPrefix("#1 process.started"))
        #expect(lines[0].contains("unfinished"))
        #expect(lines[1].hasPrefix("└─ #2 agent.started"))
        #expect(lines[1].contains("tokens 250/20"))
        #expect(lines[2].hasPrefix("   ├─ #3 turn.started"))
        #expect(lines[3].hasPrefix("   │  ├─ #4 model.completed"))
        #expect(lines[8].hasPrefix("      └─ #9 model.completed"))
        #expect(!text.contains("\u{1B}["))
    }
}

/// A clock for tests: every reading is 10 ms after the previous one.
final class TickingClock: Sendable {
    private let value = Mutex<Int64>(0)

    func tick() -> Int64 {
        value.withLock {
            $0 += 10
            return $0
        }
    }
}
