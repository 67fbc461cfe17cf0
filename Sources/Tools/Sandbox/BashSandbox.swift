import Fence
import Foundation

/// How `bash` is fenced (the `Fence` target): the layout its policy asks for, and the trial run at start.
///
/// The layout: the workspace writable, `AGENT_HOME` hidden under an empty folder, the database files (and the
/// worker's own `.env`) replaced by empty ones, no network unless the `network` tier is allowed.
public enum BashSandbox {
    /// The fence layout of `bash` commands under `policy`.
    public static func layout(_ policy: ToolPolicy) -> FenceLayout {
        let ownEnvironmentFile = FileManager.default.currentDirectoryPath + "/.env"
        let files = (policy.databaseFiles + [ownEnvironmentFile]).filter { !PathWalker.contains(policy.workspace, $0) }
        return FenceLayout(
            hiddenFolders: [policy.home], hiddenFiles: files,
            mounts: [FenceLayout.Mount(source: policy.workspace, writable: true)],
            network: policy.allowedTiers.contains(.network), workingDirectory: policy.workspace)
    }

    /// The trial run: `bwrap ... bash -c true` with the real layout. Decides the state of the `exec` tier.
    public static func probe(policy: ToolPolicy, timeout: Duration = .seconds(10)) async -> SandboxStatus {
        let trial = await Fence.trial(
            layout(policy), environment: policy.commandEnvironment, command: [BashTool.shell, "-c", "exit 0"], timeout: timeout)
        switch trial {
        case .success(let fence):
            return SandboxStatus(state: .sandboxed, bubblewrap: fence.bubblewrap)
        case .failure(let failure):
            return SandboxStatus(state: policy.allowUnsandboxedExec ? .unsandboxedAllowed : .execDisabled, reason: failure.message)
        }
    }
}
