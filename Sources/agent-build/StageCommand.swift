import ArgumentParser
import Foundation
import Revisions
import Settings
import UpdatePipeline

/// `agent-build stage [--patch FILE | --source DIR | --binary PATH]`: the last line on standard output is the rev.
struct StageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Build, test and check a new worker; stage it for an admin's approval. Prints its rev last.",
        discussion:
            "By default the patch of AGENT_WORKSPACE (new and binary files included) against the source commit of the current good revision."
    )

    @Option(help: "A patch file (git diff --binary) to apply on a clean copy of the source commit.")
    var patch: String?

    @Option(help: "A source folder to build as it is.")
    var source: String?

    @Option(help: "A worker built elsewhere: no build, no tests; the self-check still runs.")
    var binary: String?

    @Option(help: "Why this stage was asked for (shown in the staging notice).")
    var reason: String?

    @Option(help: "Who asked for it (a Telegram user id), for the record.")
    var requestedBy = "cli"

    func validate() throws {
        if [patch, source, binary].compactMap({ $0 }).count > 1 {
            throw ValidationError("give at most one of --patch, --source, --binary")
        }
    }

    func run() async throws {
        let context = PipelineContext.open()
        let stageSource: StageSource =
            if let patch { .patch(AgentPaths.absolute(patch)) } else if let source {
                .source(AgentPaths.absolute(source))
            } else if let binary {
                .binary(AgentPaths.absolute(binary))
            } else { .workspace }
        let stager = Stager(settings: context.settings, store: context.store) { line in
            FileHandle.standardError.write(Data("agent-build: \(line)\n".utf8))
        }
        let artifact = try await stager.stage(stageSource, requestedBy: requestedBy, reason: reason)
        print("staged artifact \(artifact.id) in \(artifact.path ?? "?")")
        print(artifact.rev ?? "")
    }
}
