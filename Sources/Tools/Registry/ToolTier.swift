/// How much a tool can do, from looking to reaching the network; the policy allows tiers, not just tools.
public enum ToolTier: String, Sendable, CaseIterable, Codable, Comparable {
    /// Looks at the workspace: `ls`, `find`, `grep`, `read`.
    case read
    /// Changes files of the workspace: `write`, `edit`.
    case write
    /// Runs programs: `bash`.
    case exec
    /// Talks to the network (no built-in tool does).
    case network

    public static func < (lhs: ToolTier, rhs: ToolTier) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
