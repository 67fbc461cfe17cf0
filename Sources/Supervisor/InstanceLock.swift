import Foundation

/// The exclusive `flock` on `<AGENT_DB>.lock` that keeps a second supervisor off the same database.
///
/// The lock lives as long as the open file: the kernel releases it when the process dies, however it dies.
/// The holder's pid is written into the file so that the refusal can name it.
public final class InstanceLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock without waiting.
    ///
    /// - Throws: `SupervisorError.alreadyRunning` naming the holder when another process has it.
    public init(databasePath: String) throws(SupervisorError) {
        path = databasePath + ".lock"
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SupervisorError(.startFailed, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            let holder =
                count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw SupervisorError(
                .alreadyRunning,
                "another supervisord-agent (pid \(holder)) is already running on \(databasePath); refusing to start a second one")
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
