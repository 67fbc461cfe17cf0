import CSQLite
import FoundationEssentials
import Threads

#if canImport(Glibc)
    import Glibc
#endif

/// Copies the WAL back into the database file on a thread and a connection of its own, so that no commit waits for
/// a checkpoint (with SQLite's automatic checkpoints, the commit that crosses the threshold runs it: tens of
/// milliseconds of writing and two `fdatasync`s on the path of one message).
///
/// The writer connection's WAL hook reports the WAL's size after each commit; past `threshold` frames the thread
/// runs `wal_checkpoint(PASSIVE)`, which waits for no reader or writer (what it cannot copy now, it copies next
/// time). Installing the hook turns SQLite's automatic checkpoints off for that connection. The WAL only starts
/// over when a checkpoint has copied all of it before the next write, so under writes without a pause the thread
/// may never catch up: past `inlineThreshold` frames the commit runs the checkpoint itself, as SQLite's automatic
/// checkpoint would, which bounds the WAL as before.
final class BackgroundCheckpointer: @unchecked Sendable {  // `framesInWAL` and `stopped` are guarded by `condition`.
    /// WAL frames (pages) after which a checkpoint runs on the thread.
    let threshold: Int32
    /// WAL frames after which the commit runs it itself.
    let inlineThreshold: Int32
    private let connection: Connection
    private let condition = Condition()
    private var framesInWAL: Int32 = 0
    private var stopped = false

    /// Opens the second connection to `path` and starts the thread.
    init(path: String, threshold: Int32, inlineThreshold: Int32, connect: (String) throws(EventsError) -> Connection)
        throws(EventsError)
    {
        self.threshold = threshold
        self.inlineThreshold = inlineThreshold
        self.connection = try connect(path)
        DetachedThread.start(name: "sqlite-checkpointer") { [self] in runCheckpoints() }
    }

    /// Installs the WAL hook on the writer connection `handle`; the hook holds no reference, so `detach(from:)` must
    /// run before this object goes.
    func attach(to handle: OpaquePointer) {
        sqlite3_wal_hook(
            handle,
            { context, handle, _, frames in
                guard let context else { return SQLITE_OK }
                let checkpointer = Unmanaged<BackgroundCheckpointer>.fromOpaque(context).takeUnretainedValue()
                if frames >= checkpointer.inlineThreshold {
                    sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                } else {
                    checkpointer.walGrew(to: frames)
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Removes the hook and stops the thread.
    func detach(from handle: OpaquePointer) {
        sqlite3_wal_hook(handle, nil, nil)
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func walGrew(to frames: Int32) {
        guard frames >= threshold else { return }
        condition.lock()
        framesInWAL = frames
        condition.signal()
        condition.unlock()
    }

    private func runCheckpoints() {
        while true {
            condition.lock()
            while !stopped && framesInWAL < threshold { condition.wait() }
            let stop = stopped
            framesInWAL = 0
            condition.unlock()
            if stop { return }
            // Failures (busy, a full disk) are left for the next round: the WAL only grows meanwhile.
            try? connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        }
    }
}
