import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Who writes: the columns every event of one process shares.
public struct EventIdentity: Sendable {
    public let source: EventSource
    public let pid: Int32
    /// The writer's build id (SHA-256 of its executable), when known.
    public let rev: String?
    /// The worker's instance number (`worker_instance_seq` at its spawn); `nil` for other programs.
    public let instance: Int64?

    public init(source: EventSource, pid: Int32 = getpid(), rev: String? = nil, instance: Int64? = nil) {
        self.source = source
        self.pid = pid
        self.rev = rev
        self.instance = instance
    }
}
