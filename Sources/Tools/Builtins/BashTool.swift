import Events
import Fence
import Foundation
import ProcessControl

#if canImport(Glibc)
    import Glibc
#endif

/// `bash`: one command in the sandbox, with a deadline; the tail of its output in the envelope, all of it in the
/// scratch folder when it was cut.
struct BashTool: Tool {
    struct Input: ToolInput {
        let command: String
        let timeoutS: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case command
            case timeoutS = "timeout_s"
        }

        static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField {
            switch key {
            case .command: ToolField("The bash command line to run in the workspace root.")
            case .timeoutS:
                ToolField(
                    "Seconds before the command and everything it started are killed.",
                    default: JSONValue(limits.bashDefaultTimeout), minimum: 1, maximum: limits.bashMaximumTimeout)
            }
        }
    }

    /// The shell that runs commands.
    static let shell = "/bin/bash"
    /// How long a command has after SIGTERM before SIGKILL.
    static let grace = Duration.seconds(2)

    let name = "bash"
    let description = """
        Run a bash command in the workspace root, in a sandbox: the workspace is writable, everything else \
        read-only, no network, no secrets, stdin closed. Background processes die when the command ends. The \
        command is killed with everything it started after timeout_s. Shows the last 50 KiB / 2000 lines of \
        stdout (and of stderr); when output was cut, note names the file in .agent-scratch/ holding all of it.
        """
    let tier = ToolTier.exec

    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        let policy = context.policy
        let limits = policy.limits
        let timeout = input.timeoutS ?? limits.bashDefaultTimeout
        let scratch = try ScratchFolder(policy: policy)
        try scratch.prepare()
        let base = scratch.newName()
        // The worker writes and reads its outputs through descriptors only: the command may replace the scratch
        // folder or its files with symlinks, which a later look-up by path would follow.
        let outputFile = try scratch.createFile(base + ".out")
        defer { close(outputFile) }
        let errorFile = try scratch.createFile(base + ".err")
        defer { close(errorFile) }

        var spec = ProcessSpec(
            executable: Self.shell, arguments: ["-c", input.command], environment: policy.commandEnvironment,
            workingDirectory: policy.workspace, standardInput: .null, standardOutput: .descriptor(outputFile),
            standardError: .descriptor(errorFile), newSession: true)
        var cgroup: PidsCgroup?
        switch context.sandbox.state {
        case .sandboxed:
            let fence = Fence(bubblewrap: context.sandbox.bubblewrap ?? "bwrap")
            let limits = context.sandbox.limits
            var command =
                [fence.bubblewrap]
                + fence.arguments(BashSandbox.layout(policy, limits: limits), running: [Self.shell, "-c", input.command])
            if let limits, case .cgroup(let parent) = limits.processCount {
                do {
                    cgroup = try PidsCgroup.make(in: parent, limit: limits.maxProcesses)
                } catch {
                    throw ToolsError(.failed, "cannot start the command: \(error.message)")
                }
                command = cgroup?.wrapping(command) ?? command
            }
            spec.executable = command[0]
            spec.arguments = Array(command.dropFirst())
        case .unsandboxedAllowed:
            break
        case .execDisabled:
            throw ToolsError(.execDisabled, "running commands is off: \(context.sandbox.summary)")
        }
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(spec)
        } catch {
            await cgroup?.remove()
            throw ToolsError(.failed, "cannot start the command: \(error.message)")
        }
        // A cancelled call (`/stop`, the run's wall limit) kills the command and everything it started at once.
        let (status, timedOut) = await withTaskCancellationHandler {
            await child.wait(timeout: .seconds(timeout), grace: Self.grace)
        } onCancel: {
            child.signalGroup(SIGKILL)
        }
        // Unsandboxed, what the command left running in its group goes with it, as the PID namespace does otherwise.
        child.signalGroup(SIGKILL)
        await cgroup?.remove()

        let stdout = FileTail(reading: outputFile, maxBytes: limits.outputBytes, maxLines: limits.outputLines)
        let stderr = FileTail(reading: errorFile, maxBytes: limits.outputBytes / 4, maxLines: limits.outputLines / 4)
        var notes: [String] = []
        for (tail, file, stream) in [(stdout, base + ".out", "stdout"), (stderr, base + ".err", "stderr")] {
            if tail.truncated {
                notes.append(
                    "\(stream) was \(tail.totalBytes) bytes; only its end is shown. All of it is in \(ScratchFolder.name)/\(file) "
                        + "(read it with offset, or grep it)")
            } else {
                scratch.remove(file)
            }
        }
        if context.sandbox.state == .unsandboxedAllowed { notes.append("ran without a sandbox (AGENT_ALLOW_UNSANDBOXED_EXEC=1)") }
        var envelope = ToolEnvelope(
            ok: status.isSuccess && !timedOut, exitCode: status.exitCode.map(Int.init), stdout: stdout.text, stderr: stderr.text,
            truncated: stdout.truncated || stderr.truncated, note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        if timedOut {
            envelope.exitCode = nil
            envelope.error = "timed out after \(timeout) s: the command and everything it started were killed"
        } else if let signal = status.signal {
            envelope.error = "the command was killed by signal \(signal)"
        } else if let code = status.exitCode, code != 0 {
            envelope.error = "the command exited with code \(code)"
        }
        return envelope
    }
}
