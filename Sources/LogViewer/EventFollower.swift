import Events

/// Follows the events table as other processes append to it: `agent-log tail -f`.
///
/// It polls `PRAGMA data_version` (a read of shared memory, no disk I/O) every `pollInterval` and reads the new
/// rows by id only when another connection has committed. Ids are assigned under SQLite's single write lock, so
/// reading `id > cursor` misses nothing and repeats nothing.
public struct EventFollower: Sendable {
    public let reader: EventReader
    public let filter: EventFilter
    public let pollInterval: Duration

    public init(reader: EventReader, filter: EventFilter, pollInterval: Duration = .milliseconds(10)) {
        self.reader = reader
        self.filter = filter
        self.pollInterval = pollInterval
    }

    /// Calls `emit` with every matching event after `cursor`, in order, until the task is cancelled.
    public func follow(after cursor: Int64, emit: ([Event]) -> Void) async throws {
        var cursor = cursor
        var seenVersion: Int64?
        while !Task.isCancelled {
            let version = try reader.dataVersion()
            if version != seenVersion {
                seenVersion = version
                repeat {
                    let batch = try reader.events(after: cursor, matching: filter)
                    if batch.cursor == cursor { break }
                    cursor = batch.cursor
                    if !batch.events.isEmpty { emit(batch.events) }
                } while true
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}
