import ArgumentParser
import Events
import Foundation
import LogViewer
import Settings

/// `agent-log`: reads the agent's database and shows what happened. It never writes and never migrates.
///
/// Exit codes: 0 ok, 1 nothing found (or no database to read), 2 bad usage.
@main
struct AgentLog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-log",
        abstract: "Show what the agent did: events, run trees, runs and usage; whether a worker is ready.",
        discussion: "Reads AGENT_DB (default AGENT_HOME/agent.db, AGENT_HOME default ./var/home) read-only.",
        subcommands: [Tail.self, Tree.self, Runs.self, Usage.self, Ready.self])

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as Failure {
            FileHandle.standardError.write(Data("agent-log: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// A failure to report in one line with its exit code.
struct Failure: Error {
    let message: String
    let exitCode: Int32

    /// Nothing matched, or there is nothing to read: exit 1.
    static func nothingFound(_ message: String) -> Failure { Failure(message: message, exitCode: 1) }
    /// The arguments make no sense: exit 2.
    static func badUsage(_ message: String) -> Failure { Failure(message: message, exitCode: 2) }
}

/// Options every subcommand shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "The database file (default: AGENT_DB, else AGENT_HOME/agent.db).")
    var path: String?

    /// The file: `--db`, else `AGENT_DB`, else `AGENT_HOME/agent.db`.
    var resolvedPath: String { path ?? AgentPaths(environment: EnvironmentReader()).database }

    /// Opens the database read-only; every problem becomes one clear line and exit 1.
    func open() throws -> Database {
        do {
            return try Database(path: resolvedPath, mode: .readOnly)
        } catch {
            throw Failure.nothingFound(error.message)
        }
    }
}

/// Runs a query, turning a store error into one line and exit 1.
func reading<T>(_ body: () throws(EventsError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw Failure.nothingFound(error.message)
    }
}

/// The current time in unix milliseconds.
func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
