import ArgumentParser
import Events
import Foundation
import LogViewer
import Settings

/// `agent-log ready`: exit 0 when a worker is serving now, 1 when not; the container's health check.
struct Ready: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Whether a worker is ready now: exit 0 when it is, 1 when not, with one line saying why.",
        discussion: """
            Ready means: the newest supervisor has not stopped and still holds its lock, and its newest worker \
            sent READY=1 and has not exited. Reads the database only.
            """)

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "One JSON object: ready, state, instance, rev, pid, since, detail.")
    var json = false

    func run() throws {
        let db = try database.open()
        let held = SupervisorLockProbe.isHeld(databasePath: database.resolvedPath)
        let readiness = try reading { () throws(EventsError) in
            try WorkerReadiness.load(from: db, supervisorLockHeld: held, now: nowMilliseconds())
        }
        Terminal.write((json ? readiness.json : readiness.line) + "\n")
        if !readiness.isReady { throw ExitCode(1) }
    }
}
