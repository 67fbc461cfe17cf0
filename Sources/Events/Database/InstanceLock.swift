import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// The exclusive `flock` that keeps a second program of one kind off a database (SPEC section 1): `<AGENT_DB>.lock`
/// for the supervisor, `<AGENT_DB>.worker.lock` for the worker.
///
/// The lock lives as long as the open file (opened close-on-exec, so no child inherits it): the kernel releases it
/// when the process dies, however it dies. The holder's pid is written into the file so that the refusal can name it.
public final class InstanceLock: Sendable {
    /// A program that runs once per database, and the file that says so.
    public enum Holder: Sendable {
        case supervisor
        case worker

        /// The program's name, as the refusal names it.
        public var program: String {
            switch self {
            case .supervisor: "supervisord-agent"
            case .worker: "agent-worker"
            }
        }

        /// The lock file's suffix after the database's path.
        public var suffix: String {
            switch self {
            case .supervisor: ".lock"
            case .worker: ".worker.lock"
            }
        }
    }

    public let path: String
    private let descriptor: Int32

    /// Takes the lock without waiting.
    ///
    /// - Throws: `EventsError.alreadyRunning` naming the holder's pid when another process has it, `.cannotOpen`
    ///   when the lock file cannot be opened.
    public init(databasePath: String, for holder: Holder) throws(EventsError) {
        path = databasePath + holder.suffix
        let directory = folder(of: path)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw EventsError(.cannotOpen, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            let pid =
                String(decoding: buffer[0..<max(count, 0)], as: UTF8.self).split(whereSeparator: \.isWhitespace).first.map(String.init)
                ?? "?"
            throw EventsError(
                .alreadyRunning,
                "another \(holder.program) (pid \(pid)) is already running on \(databasePath); refusing to start a second one")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }
}
