/// A command a user can send; none of them calls the model.
public enum Command: String, Sendable, CaseIterable {
    case start
    case help
    case new
    case status
    case usage
    case stop
    case version
    /// Admins only: stage the workspace's changes (`agent-build stage` as the worker's child).
    case stage
    /// Admins only: ask the supervisor to roll back (`/rollback [REV]`).
    case rollback

    /// The command a text starts with (`/status`, `/status@bot extra`), or `nil` when it is not one of ours.
    public init?(text: String) {
        guard text.hasPrefix("/") else { return nil }
        let word = text.dropFirst().prefix { !$0.isWhitespace }
        let name = word.split(separator: "@", maxSplits: 1).first.map(String.init) ?? ""
        self.init(rawValue: name.lowercased())
    }

    /// Whether only admins (`TELEGRAM_ADMIN_USER_IDS`) may use it.
    public var isAdminOnly: Bool { self == .stage || self == .rollback }

    /// The line of the command menu and of `/help`.
    public var summary: String {
        switch self {
        case .start: "introduce the agent"
        case .help: "list the commands"
        case .new: "start a new conversation (the model forgets this one)"
        case .status: "version, uptime, today's tokens and cost"
        case .usage: "tokens and cost of this chat"
        case .stop: "stop what the agent is doing in this chat"
        case .version: "the version and revision of this worker"
        case .stage: "(admins) build, test and stage the workspace's changes"
        case .rollback: "(admins) roll back to the previous good revision, or to REV"
        }
    }
}
