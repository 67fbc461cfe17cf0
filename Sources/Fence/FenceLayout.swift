/// What a fenced command sees of the file system and the network.
///
/// Everything not named here is visible read-only; `/tmp` is a fresh empty folder; `/proc` shows only the
/// fence's own processes; IPC objects and the host name are the fence's own.
public struct FenceLayout: Sendable, Equatable {
    /// A folder of the host mounted inside the fence.
    public struct Mount: Sendable, Equatable {
        public let source: String
        public let destination: String
        public let writable: Bool

        public init(source: String, destination: String? = nil, writable: Bool) {
            self.source = source
            self.destination = destination ?? source
            self.writable = writable
        }
    }

    /// Folders replaced by an empty in-memory folder (the agent's home, the state folder).
    public var hiddenFolders: [String]
    /// Files replaced by an empty one (`/dev/null`): the database, its companions, an `.env`.
    public var hiddenFiles: [String]
    /// Mounted after the hidden folders, so a mount may sit inside one of them (or inside `/tmp`).
    public var mounts: [Mount]
    /// Whether the network is reachable; without it only a loopback of the fence's own exists.
    public var network: Bool
    /// The working directory inside the fence.
    public var workingDirectory: String
    /// A fresh empty folder made inside the fence (under its private `/tmp`) to be the command's `HOME`; `nil`
    /// keeps the `HOME` of the environment given.
    public var scratchHome: String?
    /// What the command may use up: the largest file it may write, how many processes it may have.
    public var limits: FenceLimits

    public init(
        hiddenFolders: [String] = [], hiddenFiles: [String] = [], mounts: [Mount] = [], network: Bool = false,
        workingDirectory: String, scratchHome: String? = nil, limits: FenceLimits = FenceLimits()
    ) {
        self.hiddenFolders = hiddenFolders
        self.hiddenFiles = hiddenFiles
        self.mounts = mounts
        self.network = network
        self.workingDirectory = workingDirectory
        self.scratchHome = scratchHome
        self.limits = limits
    }
}
