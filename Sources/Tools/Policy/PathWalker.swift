import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Resolves a path the way the kernel would, one component at a time, on the real file system: symlinks followed
/// (at most 40), `..` taken after the symlink before it is resolved, and missing components kept as they are (so a
/// file about to be written has a resolved path too). A `..` after a missing component takes that component back,
/// and the walk goes on checking the disk from the folder that exists: `nope/../link/x` follows `link` (resolving
/// the rest by text alone once a component was missing let such a path escape through a symlink).
enum PathWalker {
    /// Why a path cannot be resolved.
    enum Failure: Error, Equatable {
        /// More than 40 symlinks: a loop.
        case symlinkLoop
        /// A component that is not a folder is used as one.
        case notAFolder(String)
        /// `lstat` or `readlink` failed otherwise.
        case system(String, Int32)
    }

    /// The absolute path `path` stands for, relative paths taken from `base`; and whether it exists.
    static func resolve(_ path: String, from base: String) throws(Failure) -> (path: String, exists: Bool) {
        var resolved: [String] = path.hasPrefix("/") ? [] : components(base)
        var pending = Array(components(path).reversed())
        // How many of the last components of `resolved` do not exist: those are taken by text; the disk is checked
        // again once `..` has taken them all back.
        var missing = 0
        var hops = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                missing = max(0, missing - 1)
                continue
            }
            if missing > 0 {
                resolved.append(component)
                missing += 1
                continue
            }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            var status = stat()
            guard lstat(candidate, &status) == 0 else {
                switch errno {
                case ENOENT:
                    missing = 1
                    resolved.append(component)
                    continue
                case ENOTDIR: throw .notAFolder("/" + resolved.joined(separator: "/"))
                case ELOOP: throw .symlinkLoop
                case let code: throw .system(candidate, code)
                }
            }
            switch status.st_mode & S_IFMT {
            case S_IFLNK:
                hops += 1
                if hops > 40 { throw .symlinkLoop }
                let target = try readLink(candidate)
                if target.hasPrefix("/") { resolved = [] }
                pending.append(contentsOf: components(target).reversed())
            case S_IFDIR:
                resolved.append(component)
            default:
                if !pending.isEmpty { throw .notAFolder(candidate) }
                resolved.append(component)
            }
        }
        return ("/" + resolved.joined(separator: "/"), missing == 0)
    }

    /// Whether `inner` is `outer` or inside it.
    static func contains(_ outer: String, _ inner: String) -> Bool {
        outer == "/" || inner == outer || inner.hasPrefix(outer + "/")
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private static func readLink(_ path: String) throws(Failure) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw .system(path, errno) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
