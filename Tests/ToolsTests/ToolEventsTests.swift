import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

@Suite(.timeLimit(.minutes(1))) struct ToolEventsTests {
    private func store(_ directory: TemporaryDirectory) throws -> EventStore {
        EventStore(database: try Database(path: directory.file("events.db")), identity: EventIdentity(source: .worker), secrets: [])
    }

    @Test func aCallThatRanIsASpanUnderItsParentWithSecretsMasked() async throws {
        let fixture = try await ToolFixture(environment: ["OPENAI_API_KEY": "sk-maskedmaskedmasked0123"])
        try fixture.write("a.txt", "hello\n")
        let store = try store(fixture.directory)
        let turn = try store.append("turn.started", payload: ["n": 1])
        let result = try await fixture.registry.call(
            "read", arguments: #"{"path": "a.txt", "note_to_self": "sk-maskedmaskedmasked0123"}"#, callID: "call_1", recordingIn: store,
            parent: turn,
            run: turn, chat: 77)
        #expect(result.wasRefused)
        let good = try await fixture.registry.call(
            "read", arguments: #"{"path": "a.txt"}"#, callID: "call_2", recordingIn: store, parent: turn)
        #expect(good.envelope.ok)
        #expect(good.recordingError == nil)

        let reader = EventReader(database: store.database)
        let spans = try reader.children(of: turn)
        #expect(spans.map(\.kind) == ["tool_call.started", "tool_call.started"])
        let refused = try #require(spans.first)
        #expect(refused.runID == turn)
        #expect(refused.chatID == 77)
        #expect(!refused.payload.contains("sk-masked"))
        let refusedPayload = try #require(refused.payloadObject)
        #expect(refusedPayload["tool"] == "read")
        #expect(refusedPayload["call_id"] == "call_1")
        #expect(refusedPayload["args"]?["note_to_self"] == "[REDACTED]")
        let failed = try reader.children(of: refused.id)
        #expect(failed.map(\.kind) == ["tool_call.failed"])
        #expect(failed.first?.level == "error")
        #expect(failed.first?.payloadObject?["error"]?.stringValue?.contains("unknown argument") == true)

        let closing = try reader.children(of: spans[1].id)
        #expect(closing.map(\.kind) == ["tool_call.completed"])
        let payload = try #require(closing.first?.payloadObject)
        #expect(payload["exit_code"] == 0)
        #expect(payload["truncated"] == false)
        #expect(payload["ok"] == true)
        #expect(payload["duration_ms"]?.int64Value != nil)
    }

    @Test func aToolThatFailedIsCompletedWithItsError() async throws {
        let fixture = try await ToolFixture()
        let store = try store(fixture.directory)
        let result = try await fixture.registry.call(
            "read", arguments: #"{"path": "missing"}"#, callID: "c", recordingIn: store, parent: nil)
        #expect(result.envelope.ok == false)
        let events = try EventReader(database: store.database).newest(matching: EventFilter(), limit: 10).events
        let completed = try #require(events.first { $0.kind == "tool_call.completed" })
        #expect(completed.payloadObject?["ok"] == false)
        #expect(completed.payloadObject?["exit_code"] == 1)
        #expect(completed.payloadObject?["error"]?.stringValue?.contains("missing") == true)
    }
}
