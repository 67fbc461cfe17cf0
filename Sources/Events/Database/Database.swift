import CSQLite
import FoundationEssentials
import Threads

#if canImport(Glibc)
    import Glibc
#endif

/// The shared SQLite file, opened the way every program of the workspace must open it.
///
/// Writers get `journal_mode=WAL`, `busy_timeout`, `foreign_keys=ON` and `synchronous=NORMAL`, and migrate the
/// schema at open. Readers (`agent-log`) open the file read-only and never migrate. Every use of the connection
/// goes through `read` or `write`, which serialise callers on one lock.
public final class Database: @unchecked Sendable {  // `connection` is only touched under `lock`.
    /// How the file is opened.
    public enum Mode: Sendable {
        /// Create when missing, migrate, write.
        case readWrite
        /// Never create, never migrate, never write.
        case readOnly
    }

    /// Who copies the WAL back into the database file.
    public enum Checkpoints: Sendable {
        /// SQLite, in the commit that crosses `walAutocheckpointPages`.
        case automatic
        /// A thread of its own, past `backgroundCheckpointPages` (`BackgroundCheckpointer`): for the worker, whose
        /// commits are on the path of every message.
        case background
    }

    /// WAL pages after which the background checkpointer runs: a small WAL, since no commit waits for it.
    public static let backgroundCheckpointPages: Int32 = 1000

    /// WAL pages between automatic checkpoints (SQLite's default is 1,000). A checkpoint is the only moment a WAL
    /// database with `synchronous=NORMAL` waits for the disk (two `fdatasync`s); ten times fewer of them doubled the
    /// rate of one-event transactions here (docs/performance.md), for a WAL of at most about 40 MB.
    public static let walAutocheckpointPages = 10_000

    /// Milliseconds SQLite waits for another process's lock before a statement reports busy.
    public static let busyTimeoutMilliseconds: Int32 = 10_000

    public let path: String
    public let mode: Mode
    private let connection: Connection
    private let lock = Condition()
    private let checkpointer: BackgroundCheckpointer?

    /// Opens the database at `path`; a writer also applies the PRAGMAs and migrates the schema.
    ///
    /// - Throws: `EventsError` with `.cannotOpen` for a missing file (read-only) or an unusable directory,
    ///   `.newerMajorSchema` when the file comes from a newer major schema, `.notInitialized` when a reader finds
    ///   a file no writer has set up.
    public init(path: String, mode: Mode = .readWrite, checkpoints: Checkpoints = .automatic) throws(EventsError) {
        self.path = path
        self.mode = mode
        let connection = try Self.connect(path: path, mode: mode)
        self.connection = connection
        switch mode {
        case .readWrite:
            try Self.configureWriter(connection)
            try Schema.migrate(connection)
            if checkpoints == .background {
                let checkpointer = try BackgroundCheckpointer(
                    path: path, threshold: Self.backgroundCheckpointPages, inlineThreshold: Int32(Self.walAutocheckpointPages)
                ) {
                    path throws(EventsError) in
                    let second = try Self.connect(path: path, mode: .readWrite)
                    try Self.configureWriter(second)
                    return second
                }
                checkpointer.attach(to: connection.handle)
                self.checkpointer = checkpointer
            } else {
                self.checkpointer = nil
            }
        case .readOnly:
            self.checkpointer = nil
            try connection.execute("PRAGMA query_only = ON")
            try Schema.checkReadable(connection)
        }
    }

    deinit {
        checkpointer?.detach(from: connection.handle)
    }

    /// Runs `body` with the connection, outside any explicit transaction.
    public func read<T>(_ body: (Connection) throws(EventsError) -> T) throws(EventsError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: all of it is committed, or none of it.
    ///
    /// A lock held by another process is waited for (`busy_timeout`) and the transaction is retried a few times
    /// before `.busy` reaches the caller. Any error thrown by `body` rolls the transaction back and is rethrown.
    public func write<T>(_ body: (Connection) throws(EventsError) -> T) throws(EventsError) -> T {
        lock.lock()
        defer { lock.unlock() }
        if connection.isInTransaction {
            return try body(connection)
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                try connection.execute("BEGIN IMMEDIATE")
                break
            } catch  where error.code == .busy && attempt < 5 {
                usleep(useconds_t(20_000 * attempt))
            }
        }
        do {
            let result = try body(connection)
            try connection.execute("COMMIT")
            return result
        } catch {
            if connection.isInTransaction { try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    /// Copies the WAL into the database file and empties it (`wal_checkpoint(TRUNCATE)`), as closing the last
    /// connection would: programs call it when they stop cleanly, so that the file alone is a whole copy.
    public func checkpoint() throws(EventsError) {
        try read { connection throws(EventsError) in try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Runs one statement in its own transaction.
    public func execute(_ sql: String, _ bindings: [SQLValue] = []) throws(EventsError) {
        try write { connection throws(EventsError) in try connection.execute(sql, bindings) }
    }

    /// Runs one query and returns its rows.
    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws(EventsError) -> [Row] {
        try read { connection throws(EventsError) in try connection.query(sql, bindings) }
    }

    private static func connect(path: String, mode: Mode) throws(EventsError) -> Connection {
        if mode == .readOnly, !FileManager.default.fileExists(atPath: path) {
            throw EventsError(.cannotOpen, "no database at \(path) (set AGENT_DB or AGENT_HOME)")
        }
        if mode == .readWrite {
            let directory = folder(of: path)
            if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw EventsError(.cannotOpen, "cannot create the folder \(directory) for the database \(path)")
                }
            }
            if !directory.isEmpty, access(directory, W_OK) != 0 {
                throw EventsError(
                    .readOnly,
                    "cannot write the database \(path): its folder \(directory) is not writable (\(String(cString: strerror(errno))))")
            }
        }
        var flags = SQLITE_OPEN_NOMUTEX
        flags |= mode == .readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw EventsError.sqlite(code, message: message, doing: "opening", path: path)
        }
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        return Connection(handle: handle, path: path)
    }

    private static func configureWriter(_ connection: Connection) throws(EventsError) {
        let mode = try connection.scalar("PRAGMA journal_mode = WAL").string
        guard mode?.lowercased() == "wal" else {
            throw EventsError(
                .readOnly, "cannot switch \(connection.path) to WAL (journal_mode is \(mode ?? "unknown")); is its directory writable?")
        }
        try connection.execute("PRAGMA synchronous = NORMAL")
        try connection.execute("PRAGMA foreign_keys = ON")
        try connection.execute("PRAGMA wal_autocheckpoint = \(walAutocheckpointPages)")
    }
}
