import ArgumentParser
import Events
import Foundation
import Revisions
import Settings
import UpdatePipeline

#if canImport(Glibc)
    import Glibc
#endif

/// `agent-build`: stages artifacts, approves or rejects them, requests rollbacks (SPEC section 6). Exit codes: 0
/// done, 1 the step failed (the reason in one line on standard error), 2 bad usage.
@main
struct AgentBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-build",
        abstract: "Stage, approve, reject and roll back builds of the agent's worker.",
        discussion:
            "Settings come from the environment (AGENT_HOME, AGENT_DB, AGENT_WORKSPACE, AGENT_BUILD_COMMAND...): see docs/self-update.md.",
        version: BuildInfo.version,
        subcommands: [
            StageCommand.self, ListCommand.self, ShowCommand.self, ApproveCommand.self, RejectCommand.self, RollbackCommand.self,
            GarbageCommand.self,
        ])

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as PipelineError {
            fail(error.message, code: error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            if code == .validationFailure || error is ValidationError || code.rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }

    /// Prints one line on standard error and exits.
    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("agent-build: \(message.replacingOccurrences(of: "\n", with: " "))\n".utf8))
        Glibc.exit(code)
    }
}

/// What every subcommand opens: the settings and the store (source `build`).
struct PipelineContext {
    let settings: PipelineSettings
    let store: EventStore

    static func open() -> PipelineContext {
        let settings: PipelineSettings
        do {
            settings = try PipelineSettings(environment: EnvironmentReader())
        } catch {
            AgentBuild.fail("\(error)", code: 2)
        }
        do {
            let store = EventStore(
                database: try Database(path: settings.paths.database),
                identity: EventIdentity(source: .build, rev: SelfRevision.current))
            return PipelineContext(settings: settings, store: store)
        } catch {
            AgentBuild.fail(error.message, code: 1)
        }
    }

    var catalog: ArtifactCatalog { ArtifactCatalog(store: store, home: settings.paths.home) }
}
