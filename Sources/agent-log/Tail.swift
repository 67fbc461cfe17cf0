import ArgumentParser
import Events
import LogViewer

/// `agent-log tail`: the newest events, one line (or one JSON object) each; `-f` keeps following.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the newest events; -f follows new ones.")

    @OptionGroup var database: DatabaseOptions

    @Flag(name: .shortAndLong, help: "Keep printing events as other processes write them.")
    var follow = false

    @Option(name: .short, help: "How many of the newest events to print first (default 20; with --since, all; 0: none).")
    var n: Int?

    @Option(help: "Only kinds matching this glob, e.g. 'agent.*' or telegram.unauthorized.")
    var kind: String?

    @Option(help: "Only events of this chat.")
    var chat: Int64?

    @Option(help: "Only events of this run (the id of its agent.started).")
    var run: Int64?

    @Option(help: "Only events from this event id on, or newer than a duration: 30s, 10m, 2h, 7d.")
    var since: String?

    @Flag(help: "One JSON object per line, for scripts.")
    var json = false

    func validate() throws {
        if let n, n < 0 { throw ValidationError("-n must be 0 or more") }
        if let since, SinceArgument(since) == nil {
            throw ValidationError("--since takes an event id (4711) or a duration (30s, 10m, 2h, 7d), not \"\(since)\"")
        }
    }

    func run() async throws {
        let db = try database.open()
        var filter = EventFilter(kindGlob: kind, chatID: chat, runID: run)
        if let since { SinceArgument(since)!.apply(to: &filter, now: nowMilliseconds()) }
        let limit = n ?? (since == nil ? 20 : nil)
        let reader = EventReader(database: db)
        let (events, cursor) = try reading { () throws(EventsError) in try reader.newest(matching: filter, limit: limit) }
        let formatter = EventFormatter(terminal: Terminal.standardOutput())
        let render: ([Event]) -> Void = { batch in
            Terminal.write(batch.map { (json ? EventFormatter.json($0) : formatter.line($0)) + "\n" }.joined())
        }
        render(events)
        guard follow else {
            if events.isEmpty && limit != 0 { throw Failure.nothingFound("no events match") }
            return
        }
        try await EventFollower(reader: reader, filter: filter).follow(after: cursor, emit: render)
    }
}
