import Foundation

extension ToolPolicy {
    /// Resolves `path` (relative to the workspace, or absolute) and checks it against the policy.
    ///
    /// - Throws: `ToolsError` `.protectedPath` under `AGENT_HOME` or at the database, `.outsideWorkspace` outside
    ///   the workspace, `.unresolvablePath` for a symlink loop or a file used as a folder.
    public func resolve(_ path: String) throws(ToolsError) -> ResolvedPath {
        guard !path.utf8.contains(0) else { throw ToolsError(.unresolvablePath, "the path contains a NUL byte") }
        let resolved: (path: String, exists: Bool)
        do {
            resolved = try PathWalker.resolve(path.isEmpty ? "." : path, from: workspace)
        } catch {
            switch error {
            case .symlinkLoop:
                throw ToolsError(.unresolvablePath, "\(path): too many levels of symbolic links (a symlink loop)")
            case .notAFolder(let file):
                throw ToolsError(.unresolvablePath, "\(path): \(relativeOrAbsolute(file)) is a file, not a folder")
            case .system(let where_, let code):
                throw ToolsError(
                    .unresolvablePath, "\(path): cannot resolve \(relativeOrAbsolute(where_)): \(String(cString: strerror(code)))")
            }
        }
        if PathWalker.contains(home, resolved.path) || databaseFiles.contains(resolved.path) {
            throw ToolsError(.protectedPath, "\(path) is inside AGENT_HOME (the agent's database and artifacts), which tools never touch")
        }
        guard PathWalker.contains(workspace, resolved.path) else {
            let shown = resolved.path == path ? "" : " (it resolves to \(resolved.path))"
            throw ToolsError(.outsideWorkspace, "\(path) is outside the workspace \(workspace)\(shown); use a path inside it")
        }
        return ResolvedPath(absolute: resolved.path, relative: relativePath(resolved.path), exists: resolved.exists)
    }

    /// `absolute` relative to the workspace root (`.` for the root); `absolute` must be inside it.
    func relativePath(_ absolute: String) -> String {
        if absolute == workspace { return "." }
        return String(absolute.dropFirst(workspace == "/" ? 1 : workspace.count + 1))
    }

    private func relativeOrAbsolute(_ absolute: String) -> String {
        PathWalker.contains(workspace, absolute) ? relativePath(absolute) : absolute
    }
}
