/// The build id of the running program: the SHA-256 of its own executable.
public enum SelfRevision {
    /// Computed once, at first use; `nil` when `/proc/self/exe` cannot be read.
    public static let current: String? = try? FileDigest.sha256(ofFile: "/proc/self/exe")
}
