/// A schema version as stored in `PRAGMA user_version`: `major * 1000 + minor`.
///
/// A minor step only adds (tables, columns with defaults, indexes), so older programs keep working on a newer
/// minor; a newer major is refused.
public struct SchemaVersion: Sendable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public init(major: Int, minor: Int) {
        precondition((0..<1000).contains(minor), "a minor version is below 1000")
        self.major = major
        self.minor = minor
    }

    /// Decodes a `user_version` value.
    public init(userVersion: Int64) {
        self.major = Int(userVersion / 1000)
        self.minor = Int(userVersion % 1000)
    }

    /// The value written to `PRAGMA user_version`.
    public var userVersion: Int64 { Int64(major * 1000 + minor) }

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: SchemaVersion, rhs: SchemaVersion) -> Bool {
        lhs.userVersion < rhs.userVersion
    }
}
