import ArgumentParser
import Events
import LogViewer

/// `agent-log tree`: one event and everything under it, with durations and token totals.
struct Tree: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the tree under one event (default: the newest supervisor process).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The id of the root event.")
    var id: Int64?

    @Flag(help: "The newest agent run (agent.started).")
    var lastRun = false

    @Flag(help: "The newest process.started of the supervisor (the default).")
    var lastProcess = false

    @Flag(help: "The tree as one JSON object with children, duration_ms and unfinished.")
    var json = false

    func validate() throws {
        if [id != nil, lastRun, lastProcess].filter({ $0 }).count > 1 {
            throw ValidationError("give one of ID, --last-run, --last-process")
        }
    }

    func run() throws {
        let db = try database.open()
        let reader = EventReader(database: db)
        let rootID: Int64
        if let id {
            rootID = id
        } else if lastRun {
            guard let run = try reading({ () throws(EventsError) in try reader.latest(kind: EventKind.agentStarted) }) else {
                throw Failure.nothingFound("no agent run yet")
            }
            rootID = run.id
        } else {
            let newestSupervisor = { () throws(EventsError) in try reader.latest(kind: EventKind.processStarted, source: .supervisor) }
            guard let process = try reading(newestSupervisor) else {
                throw Failure.nothingFound("no supervisor process.started yet; give an event id or --last-run")
            }
            rootID = process.id
        }
        let entries = try reading { () throws(EventsError) in try TreeLoader(database: db).entries(rootID: rootID) }
        guard let root = EventTree.build(entries) else { throw Failure.nothingFound("no event \(rootID)") }
        if json {
            Terminal.write(TreeRenderer.json(root) + "\n")
        } else {
            Terminal.write(TreeRenderer(formatter: EventFormatter(terminal: Terminal.standardOutput())).text(root))
        }
    }
}
