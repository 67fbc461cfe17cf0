import CSpawn

/// Lets a supervising process take care of the orphans of its children.
public enum OrphanAdoption {
    /// Makes this process a child subreaper (`PR_SET_CHILD_SUBREAPER`), so orphans below it are re-parented to it
    /// and reaped by `ChildReaper`, as PID 1 does in a container. Returns whether the kernel agreed.
    @discardableResult
    public static func enable() -> Bool {
        cspawn_become_subreaper() == 0
    }
}
