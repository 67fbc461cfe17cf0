import CSpawn

#if canImport(Glibc)
    import Glibc
#endif

/// glibc's allocator arenas, capped for the long-running programs.
///
/// By default glibc gives threads up to 8 arenas per core, and each keeps the memory freed into it: a server whose
/// work hops between Dispatch's and the cooperative pool's threads grows its resident memory with every arena it
/// touches (measured: 12.8 MB over 10,000 messages with the default, 8.9 MB with 2 arenas; docs/performance.md).
/// Two arenas cost nothing measurable on these machines' two cores.
public enum MallocArenas {

    /// Caps the arenas at `count`, unless the operator set `MALLOC_ARENA_MAX` (glibc reads that itself).
    public static func limit(to count: Int32 = 2) {
        #if canImport(Glibc)
            guard getenv("MALLOC_ARENA_MAX") == nil else { return }
            _ = cspawn_limit_malloc_arenas(count)
        #endif
    }
}
