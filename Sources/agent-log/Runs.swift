import ArgumentParser
import Events
import LogViewer

/// `agent-log runs`: one line per agent run.
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One line per agent run: when, chat, status, turns, tokens, cost, duration.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only runs of this chat.")
    var chat: Int64?

    @Option(name: .short, help: "How many of the newest runs (default 20; 0 for all).")
    var n = 20

    @Flag(help: "One JSON object per run, per line.")
    var json = false

    func validate() throws {
        if n < 0 { throw ValidationError("-n must be 0 or more") }
    }

    func run() throws {
        let db = try database.open()
        let runs = try reading { () throws(EventsError) in try RunSummary.load(from: db, chatID: chat, limit: n == 0 ? nil : n) }
        guard !runs.isEmpty else { throw Failure.nothingFound("no agent runs") }
        Terminal.write(json ? runs.map { $0.json + "\n" }.joined() : RunSummary.table(runs))
    }
}
