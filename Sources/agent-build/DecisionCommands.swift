import ArgumentParser
import Revisions
import UpdatePipeline

/// `agent-build approve REV|ID`: the supervisor deploys it next.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a staged artifact for deployment.")

    @Argument(help: "The artifact: its id or its rev.")
    var reference: String

    func run() async throws {
        let record = try PipelineContext.open().catalog.decide(.approve, reference, decidedBy: "cli")
        print("approved artifact \(record.id) (\(record.rev ?? "-")): the supervisor deploys it next")
    }
}

/// `agent-build reject REV|ID`.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a staged artifact.")

    @Argument(help: "The artifact: its id or its rev.")
    var reference: String

    func run() async throws {
        let record = try PipelineContext.open().catalog.decide(.reject, reference, decidedBy: "cli")
        print("rejected artifact \(record.id) (\(record.rev ?? "-"))")
    }
}

/// `agent-build rollback [REV]`: writes `update.rollback.requested`; the supervisor acts on it.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Ask the supervisor to roll back (by default to the revision before the current good one).")

    @Argument(help: "The revision to restore: an artifact id or rev.")
    var reference: String?

    func run() async throws {
        let id = try PipelineContext.open().catalog.requestRollback(to: reference, requestedBy: "cli")
        print("rollback requested (event \(id)): the supervisor restores the revision and promotes it once it is ready")
    }
}

/// `agent-build gc`: keeps the newest artifacts, never the current or the good one.
struct GarbageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Remove old artifacts: keeps the newest AGENT_ARTIFACTS_KEEP (5), never the current or the good one.")

    func run() async throws {
        let context = PipelineContext.open()
        let removed = try context.catalog.collectGarbage(keep: context.settings.keep)
        for rev in removed { print("removed \(rev)") }
        print("\(removed.count) artifacts removed")
    }
}
