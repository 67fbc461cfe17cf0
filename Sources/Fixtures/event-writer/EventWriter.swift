import ArgumentParser
import Events
import Foundation

/// A test and benchmark fixture: appends events to a database through the real `Events` store, as a separate
/// process would. It exists so that tests can have several real writers on one file at once.
@main
struct EventWriter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-writer",
        abstract: "Append events to an agent database (a fixture for tests and benchmarks).")

    @Option(help: "The database file.")
    var db: String

    @Option(help: "How many events to append.")
    var count = 1

    @Option(help: "Events per transaction (1: one transaction each).")
    var batch = 1

    @Option(help: "The kind of every event.")
    var kind = "test.appended"

    @Option(help: "The payload of every event, as JSON text.")
    var payload = "{}"

    @Option(help: "Milliseconds to wait between transactions.")
    var intervalMs = 0

    @Flag(help: "Put the current time in nanoseconds (CLOCK_REALTIME) into each payload as \"sent_ns\".")
    var stampTime = false

    @Option(help: "The parent id of every event.")
    var parent: Int64?

    @Option(help: "The chat id of every event.")
    var chat: Int64?

    func run() throws {
        let store: EventStore
        do {
            store = EventStore(database: try Database(path: db), identity: EventIdentity(source: .worker))
        } catch {
            FileHandle.standardError.write(Data("event-writer: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        if !stampTime && batch == 1 && intervalMs == 0 && count == 1 {
            print(try store.append(kind, parent: parent, chat: chat, payloadJSON: payload))
            return
        }
        guard let base = (try? JSONValue(parsing: payload))?.objectValue else {
            throw ValidationError("--payload is not a JSON object")
        }
        var written = 0
        while written < count {
            let size = min(batch, count - written)
            var events: [NewEvent] = []
            for index in 0..<size {
                var body = base
                body["seq"] = .int(Int64(written + index))
                if stampTime { body["sent_ns"] = .int(Self.realtimeNanoseconds()) }
                events.append(NewEvent(kind, parent: parent, chat: chat, payload: body))
            }
            if size == 1 {
                try store.append(events[0])
            } else {
                try store.append(batch: events)
            }
            written += size
            if intervalMs > 0 { usleep(useconds_t(intervalMs * 1000)) }
        }
    }

    static func realtimeNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
