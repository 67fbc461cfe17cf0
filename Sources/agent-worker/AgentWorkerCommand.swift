import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The worker's root command. Its subcommands do the work; usage errors exit 2, not ArgumentParser's 64.
@main
struct AgentWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-worker",
        abstract: "The agent's worker: polls Telegram, runs the agent and its tools.",
        subcommands: [RunCommand.self, ToolCommand.self],
        defaultSubcommand: RunCommand.self)

    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
