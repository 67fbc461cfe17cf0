import Events
import Foundation
import TestSupport
import Testing

@Suite("docs/events.md against the kinds the code emits", .timeLimit(.minutes(1)))
struct EventsReferenceTests {
    @Test("every kind the code can emit is documented, and every documented kind is emitted or marked as not yet")
    func referenceMatchesTheCode() throws {
        let emitted = try EventsReference.scanSources(at: Repository.root + "/Sources")
        let page = try String(contentsOfFile: Repository.root + "/docs/events.md", encoding: .utf8)
        let documented = EventsReference.documented(in: page)
        // The reading found the sources and the page at all: the SPEC's core kinds are on both sides.
        #expect(emitted.kinds.isSuperset(of: [EventKind.processStarted, EventKind.agentStarted, "tool_call.completed", "turn.failed"]))
        #expect(documented.emitted.count >= 30)
        let problems = EventsReference.problems(emitted: emitted, documented: documented)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("a kind appended, opened as a span or named in EventKind but missing from the page is reported")
    func undocumentedKindsAreReported() {
        var emitted = EventsReference.Emitted()
        EventsReference.scan(
            """
            try context.store.append(
                "sandbox.denied", parent: id)
            try run.event("turn.retried", payload: [:])
            let span = try store.startSpan(
                "update.build", parent: nil)
            notes.append("the file is not valid UTF-8")
            """, file: "Sources/Example.swift", into: &emitted)
        EventsReference.scan(
            #"public static let rollbackDone = "rollback.done""#, file: "Sources/Events/Store/EventKind.swift", into: &emitted)
        #expect(
            emitted.kinds == [
                "sandbox.denied", "turn.retried", "update.build.started", "update.build.completed", "update.build.failed", "rollback.done",
            ])
        let page = """
            | kind | written by, parent | payload |
            |---|---|---|
            | `sandbox.denied` | the worker | `path` |
            | `update.build.started` | not emitted yet (self-update) | |
            | `worker.vanished` | the supervisor | |
            """
        let problems = EventsReference.problems(emitted: emitted, documented: EventsReference.documented(in: page))
        #expect(problems.contains { $0.hasPrefix("turn.retried is emitted by the code but not documented") })
        #expect(problems.contains { $0.hasPrefix("rollback.done is emitted by the code but not documented") })
        #expect(problems.contains { $0.hasPrefix("update.build.completed is emitted by the code but not documented") })
        #expect(problems.contains { $0.hasPrefix("update.build.failed is emitted by the code but not documented") })
        #expect(problems.contains { $0.hasPrefix("update.build.started is emitted now but docs/events.md lists it as not emitted yet") })
        #expect(problems.contains { $0.hasPrefix("worker.vanished is documented in docs/events.md but nothing in Sources/ emits it") })
        #expect(!problems.contains { $0.hasPrefix("sandbox.denied") })
        #expect(problems.count == 6)
    }

    @Test("a kind built by interpolation is refused, since it cannot be checked")
    func interpolatedKindsAreRefused() {
        var emitted = EventsReference.Emitted()
        EventsReference.scan(#"try span.event("update.\(step).started")"#, file: "Sources/Build/Stage.swift", into: &emitted)
        #expect(emitted.kinds.isEmpty)
        let problems = EventsReference.problems(emitted: emitted, documented: .init())
        #expect(
            problems == [
                #"an event kind built by interpolation cannot be checked against docs/events.md: spell it out (Sources/Build/Stage.swift: "update.\(step).started")"#
            ])
    }
}
