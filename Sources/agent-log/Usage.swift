import ArgumentParser
import Events
import LogViewer

extension UsageReport.Grouping: ExpressibleByArgument {}

/// `agent-log usage`: token and cost totals.
struct Usage: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Token and cost totals by day, model or chat.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Group by day, model or chat.")
    var by: UsageReport.Grouping = .day

    @Option(help: "Only usage from this event id on, or newer than a duration: 30s, 10m, 2h, 7d.")
    var since: String?

    @Flag(help: "One JSON object per group, per line.")
    var json = false

    func validate() throws {
        if let since, SinceArgument(since) == nil {
            throw ValidationError("--since takes an event id (4711) or a duration (30s, 10m, 2h, 7d), not \"\(since)\"")
        }
    }

    func run() throws {
        let db = try database.open()
        var filter = EventFilter()
        if let since { SinceArgument(since)!.apply(to: &filter, now: nowMilliseconds()) }
        let report = try reading { () throws(EventsError) in
            try UsageReport.load(from: db, by: by, minimumID: filter.minimumID, minimumTimestamp: filter.minimumTimestamp)
        }
        guard !report.rows.isEmpty else { throw Failure.nothingFound("no model calls recorded") }
        Terminal.write(json ? report.jsonLines : report.table)
    }
}
