import Foundation

/// Whether some process holds the supervisor's `flock` on `<AGENT_DB>.lock`, read from `/proc/locks`.
///
/// Nothing is locked or opened for writing: trying the lock, even for an instant, could make a supervisor that
/// starts at that moment refuse to run. Locks are matched by the lock file's inode (the device numbers of
/// `/proc/locks` and `stat` differ on some filesystems, such as btrfs subvolumes).
public enum SupervisorLockProbe {
    /// `true` when the lock is held, `false` when it is free or the file does not exist, `nil` when `/proc/locks`
    /// cannot be read (not Linux, or hidden).
    public static func isHeld(databasePath: String, locksTable: String = "/proc/locks") -> Bool? {
        var status = stat()
        guard stat(databasePath + ".lock", &status) == 0 else { return errno == ENOENT ? false : nil }
        guard let table = try? String(contentsOfFile: locksTable, encoding: .utf8) else { return nil }
        return holdsFlock(table: table, inode: UInt64(status.st_ino))
    }

    /// Whether a line of `table` (the format of `/proc/locks`) is a granted `FLOCK` on `inode`.
    public static func holdsFlock(table: String, inode: UInt64) -> Bool {
        table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // `1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF`; a waiter's line has `->` after the number.
            guard fields.count >= 6, fields[1] == "FLOCK" else { return false }
            return fields[5].split(separator: ":").last.flatMap { UInt64($0) } == inode
        }
    }
}
