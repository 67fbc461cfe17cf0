import CSpawn
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A running child process, started with `posix_spawn` from the process's `SpawnThread`.
///
/// Its pipes are drained by reader threads from the moment it starts, so a child that writes a lot never blocks
/// on a full pipe, whoever reads or does not read. Its exit status comes from `ChildReaper`.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// Whether the child leads its own session and process group (`ProcessSpec.newSession`).
    public let leadsGroup: Bool
    /// The child's standard output, when it was `.pipe`: chunks of bytes until end of file.
    public let output: AsyncStream<[UInt8]>?
    /// The child's standard error, when it was `.pipe`.
    public let errorOutput: AsyncStream<[UInt8]>?

    private let exit: ChildExit
    private let standardInput: Mutex<Int32?>

    /// Starts `spec`.
    ///
    /// The child gets exactly `spec.environment`, every signal at its default disposition and an empty signal
    /// mask, and no file descriptor of the parent but its three standard streams.
    /// - Throws: `ProcessControlError` `.spawnFailed` (with `errno`) or `.streamSetupFailed`.
    public static func spawn(_ spec: ProcessSpec) throws(ProcessControlError) -> ChildProcess {
        var toClose: [Int32] = []
        defer { for fd in toClose { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        var stdinWriter: Int32?
        switch spec.standardInput {
        case .null:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .inherit:
            break
        case .descriptor(let fd):
            posix_spawn_file_actions_adddup2(&actions, fd, 0)
        case .pipe:
            let (read, write) = try makePipe()
            toClose.append(read)
            stdinWriter = write
            posix_spawn_file_actions_adddup2(&actions, read, 0)
        }

        var outputReader: Int32?
        var errorReader: Int32?
        do {
            outputReader = try route(spec.standardOutput, to: 1, actions: &actions, toClose: &toClose)
            errorReader = try route(spec.standardError, to: 2, actions: &actions, toClose: &toClose)
        } catch {
            if let stdinWriter { close(stdinWriter) }
            throw error
        }
        if let directory = spec.workingDirectoryDescriptor {
            cspawn_addfchdir(&actions, directory)
        } else if let directory = spec.workingDirectory {
            cspawn_addchdir(&actions, directory)
        }
        cspawn_addclosefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if spec.newSession { flags |= Int32(cspawn_flag_setsid()) }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([spec.executable] + spec.arguments).map { strdup($0) } + [nil]
        let envp = spec.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }

        let exit = ChildExit()
        let pid: pid_t
        do {
            pid = try ChildReaper.shared.spawn(recordingTo: exit) { () throws(ProcessControlError) -> pid_t in
                var pid: pid_t = 0
                var code: Int32 = 0
                SpawnThread.shared.perform {
                    code =
                        spec.executable.contains("/")
                        ? posix_spawn(&pid, spec.executable, &actions, &attributes, argv, envp)
                        : posix_spawnp(&pid, spec.executable, &actions, &attributes, argv, envp)
                }
                guard code == 0 else {
                    throw ProcessControlError(
                        .spawnFailed, "cannot start \(spec.executable): \(String(cString: strerror(code)))", errno: code)
                }
                return pid
            }
        } catch {
            for fd in [stdinWriter, outputReader, errorReader].compactMap({ $0 }) { close(fd) }
            throw error
        }
        return ChildProcess(
            pid: pid, exit: exit, leadsGroup: spec.newSession, standardInput: stdinWriter,
            output: outputReader.map(PipeDrain.stream(reading:)), errorOutput: errorReader.map(PipeDrain.stream(reading:)))
    }

    private init(
        pid: pid_t, exit: ChildExit, leadsGroup: Bool, standardInput: Int32?, output: AsyncStream<[UInt8]>?,
        errorOutput: AsyncStream<[UInt8]>?
    ) {
        self.pid = pid
        self.exit = exit
        self.leadsGroup = leadsGroup
        self.standardInput = Mutex(standardInput)
        self.output = output
        self.errorOutput = errorOutput
    }

    deinit {
        closeStandardInput()
    }

    /// Waits until the child ends. Safe to call more than once, from several tasks at once.
    ///
    /// Cancelling the waiting task kills the child (its whole group when it leads one) with SIGKILL; the wait then
    /// returns as soon as it is reaped. So a cancelled caller never leaves a child running unwatched, and never
    /// waits on one that ignores what it was asked.
    public func wait() async -> TerminationStatus {
        if let status = await exit.wait(upTo: nil) { return status }
        signalGroup(SIGKILL)
        return await exit.waitIgnoringCancellation()
    }

    /// The status once the child has been reaped, else `nil`.
    public var terminationStatus: TerminationStatus? { exit.status }

    /// Sends `signal` to the child alone. Does nothing once the child has been reaped (its pid may be reused).
    public func signal(_ signal: Int32) {
        guard terminationStatus == nil else { return }
        kill(pid, signal)
    }

    /// Sends `signal` to the child's whole process group (its own group when it leads one).
    public func signalGroup(_ signal: Int32) {
        guard leadsGroup else { return self.signal(signal) }
        kill(-pid, signal)
    }

    /// Closes the parent's end of the child's standard input: the child reads end of file.
    public func closeStandardInput() {
        standardInput.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
        }
    }

    /// Waits for the child up to `timeout`; past it, sends SIGTERM (to the group), waits `grace`, then SIGKILL.
    ///
    /// Cancelling the waiting task cuts both waits short: the group is killed at once (as `wait()` does).
    /// - Returns: the status, and whether the deadline (or a cancellation) ended the child.
    public func wait(timeout: Duration, grace: Duration = .seconds(2)) async -> (status: TerminationStatus, timedOut: Bool) {
        if let status = await exit.wait(upTo: timeout) { return (status, false) }
        signalGroup(SIGTERM)
        if let status = await exit.wait(upTo: grace) { return (status, true) }
        signalGroup(SIGKILL)
        return (await exit.waitIgnoringCancellation(), true)
    }

    private static func makePipe() throws(ProcessControlError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard cspawn_pipe_cloexec(&fds) == 0 else {
            throw ProcessControlError(.streamSetupFailed, "cannot create a pipe: \(String(cString: strerror(errno)))", errno: errno)
        }
        return (fds[0], fds[1])
    }

    /// Sets up one output stream of the child; returns the parent's read end when it is a pipe.
    private static func route(
        _ output: ProcessSpec.Output,
        to target: Int32,
        actions: inout posix_spawn_file_actions_t,
        toClose: inout [Int32]
    ) throws(ProcessControlError) -> Int32? {
        switch output {
        case .null:
            posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
        case .inherit:
            break
        case .sameAsOutput:
            posix_spawn_file_actions_adddup2(&actions, 1, target)
        case .descriptor(let fd):
            posix_spawn_file_actions_adddup2(&actions, fd, target)
        case .file(let path):
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw ProcessControlError(
                    .streamSetupFailed, "cannot open \(path) for output: \(String(cString: strerror(errno)))", errno: errno)
            }
            toClose.append(fd)
            posix_spawn_file_actions_adddup2(&actions, fd, target)
        case .pipe:
            let (read, write) = try makePipe()
            toClose.append(write)
            posix_spawn_file_actions_adddup2(&actions, write, target)
            return read
        }
        return nil
    }
}
