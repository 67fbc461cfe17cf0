import Events
import Foundation
import ProcessControl

#if canImport(Glibc)
    import Glibc
#endif

/// `grep`: ripgrep over the workspace, its plain `--null` output turned into `path:line: text` lines.
struct GrepTool: Tool {
    struct Input: ToolInput {
        let pattern: String
        let path: String?
        let glob: String?
        let ignoreCase: Bool?
        let literal: Bool?
        let context: Int?
        let limit: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case pattern, path, glob
            case ignoreCase = "ignore_case"
            case literal, context, limit
        }

        static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField {
            switch key {
            case .pattern:
                ToolField(
                    "A regular expression in Rust regex syntax (like Perl's, without look-around or backreferences), "
                        + "or the exact text when literal is true.")
            case .path: ToolField("The file or folder to search, relative to the workspace root or absolute inside it.", default: ".")
            case .glob: ToolField("Only search files whose name or path matches this glob, like *.swift or Sources/**; !glob excludes.")
            case .ignoreCase: .flag("Match without regard to case.")
            case .literal: .flag("Take pattern as exact text, not a regular expression.")
            case .context: ToolField("Lines of context to show before and after each match.", default: 0, minimum: 0, maximum: 20)
            case .limit: ToolField("The most matching lines to show.", default: 100, minimum: 1, maximum: 1000)
            }
        }
    }

    let name = "grep"
    let description = """
        Search the contents of the workspace's files with ripgrep: a regular expression (Rust regex syntax) or \
        exact text, optionally ignoring case, with context lines and a glob filter. Respects .gitignore, skips \
        .git, .build and binary files. Prints path:line: text for matches (path-line- text for context), in path \
        order, lines cut at 500 characters, and says how many more matches there are beyond the limit.
        """
    let tier = ToolTier.read

    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        let policy = context.policy
        let root = try policy.resolve(input.path ?? ".")
        guard root.exists else { throw ToolsError(.failed, "\(root.relative): no such file or folder") }
        guard let ripgrep = Self.locate(in: policy.commandEnvironment) else {
            throw ToolsError(.failed, "ripgrep (rg) is not installed; use bash with grep -rn instead")
        }
        let limit = input.limit ?? 100
        let contextLines = input.context ?? 0
        var arguments = [
            "--null", "--with-filename", "--line-number", "--no-heading", "--color", "never", "--no-context-separator", "--no-config",
            "--hidden", "--no-require-git", "-g", "!.git", "-g", "!.build",
        ]
        if input.ignoreCase == true { arguments.append("--ignore-case") }
        if input.literal == true { arguments.append("--fixed-strings") }
        if contextLines > 0 { arguments += ["--context", String(contextLines)] }
        if let glob = input.glob, !glob.isEmpty { arguments += ["--glob", glob] }
        arguments += ["--regexp", input.pattern, "--"]

        // ripgrep gets what the policy checked, opened through descriptors: a folder as its working directory (it
        // searches `./` and never follows a symlink below it), a file as its standard input. No path is looked up
        // again, so a folder swapped for a symlink meanwhile cannot send it elsewhere. ripgrep starts no child of its
        // own, so it stays in the worker's session: a session of its own (a new scheduler autogroup) made it 1.4x
        // slower than bare rg on a loaded machine.
        var spec = ProcessSpec(
            executable: ripgrep, arguments: [], environment: policy.commandEnvironment, standardInput: .null, standardOutput: .pipe,
            standardError: .pipe)
        let (child, searchesFolder) = try AnchoredOpen.withDescriptor(root, in: policy, flags: O_RDONLY) {
            (fd) throws(ToolsError) -> (ChildProcess, Bool) in
            var status = stat()
            fstat(fd, &status)
            let isFolder = status.st_mode & S_IFMT == S_IFDIR
            if isFolder {
                spec.workingDirectoryDescriptor = fd
                spec.arguments = arguments + ["./"]
            } else {
                spec.workingDirectory = policy.workspace
                spec.standardInput = .descriptor(fd)
                spec.arguments = arguments + ["-"]
            }
            do throws(ProcessControlError) {
                return (try ChildProcess.spawn(spec), isFolder)
            } catch {
                throw ToolsError(.failed, "cannot start ripgrep: \(error.message)")
            }
        }
        let timeout = Duration.seconds(policy.limits.bashDefaultTimeout)
        async let errorText = Self.collect(child.errorOutput, limit: 4096)
        let report = await withTaskGroup(of: RipgrepReport?.self) { group in
            group.addTask {
                var report = RipgrepReport(limit: limit)
                for await chunk in child.output! { report.consume(chunk) }
                report.finish()
                return report
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { child.signal(SIGKILL) }
                return nil
            }
            var finished = RipgrepReport(limit: limit)
            while let result = await group.next() {
                guard let report = result else { continue }
                finished = report
                group.cancelAll()
            }
            return finished
        }
        let status = await child.wait()
        var errors = String(decoding: await errorText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if status.signal == SIGKILL {
            errors += "\nthe search took longer than \(policy.limits.bashDefaultTimeout) s and was stopped: the results are partial"
        }
        let shown = searchesFolder ? Shown.below(root.relative == "." ? "" : root.relative + "/") : .file(root.relative)
        return envelope(
            report, paths: shown, status: status, errors: errors, limit: limit, context: contextLines, policy: policy)
    }

    /// How the paths ripgrep printed are shown.
    private enum Shown {
        /// Below a folder: the folder's path, then the path ripgrep printed.
        case below(String)
        /// One file read from standard input: its path.
        case file(String)

        func path(_ printed: String) -> String {
            switch self {
            case .below(let prefix): prefix + printed
            case .file(let path): path
            }
        }
    }

    private func envelope(
        _ report: RipgrepReport, paths: Shown, status: TerminationStatus, errors: String, limit: Int, context: Int, policy: ToolPolicy
    ) -> ToolEnvelope {
        let exitCode = status.exitCode.map(Int.init)
        if report.totalMatches == 0 && exitCode != 0 && exitCode != 1 {
            let message = errors.isEmpty ? "ripgrep \(status)" : errors
            return ToolEnvelope(ok: false, exitCode: exitCode, stderr: errors, error: message)
        }
        var lines: [String] = []
        var shown = 0
        for file in report.files where shown < limit {
            var previous: Int?
            for line in file.lines {
                if shown >= limit && (line.isMatch || previous.map { $0 + 1 != line.number } ?? true) { break }
                if context > 0, let before = previous, before + 1 != line.number { lines.append("--") }
                if context > 0, previous == nil, !lines.isEmpty { lines.append("--") }
                lines.append(format(line, path: paths.path(file.path), maxCharacters: policy.limits.lineCharacters))
                if line.isMatch { shown += 1 }
                previous = line.number
            }
        }
        let listing = CappedListing(lines, maxBytes: policy.limits.outputBytes)
        var notes: [String] = []
        var truncated = false
        if report.totalMatches == 0 {
            notes.append("no matches")
        } else if shown < report.totalMatches || listing.shown < lines.count {
            truncated = true
            let visible = lines.prefix(listing.shown).filter { $0 != "--" && !$0.isEmpty }.count
            let cut = listing.shown < lines.count ? " (the output reached its size limit after \(visible) lines)" : ""
            notes.append(
                "showing the first \(shown) of \(report.totalMatches) matching lines in \(report.filesWithMatches) files, in path order\(cut); "
                    + "narrow path or glob, or raise limit (at most 1000)")
        }
        if report.binaryFilesSkipped > 0 { notes.append("\(report.binaryFilesSkipped) binary file(s) skipped") }
        return ToolEnvelope(
            ok: true, exitCode: report.totalMatches > 0 ? 0 : (exitCode ?? 1), stdout: listing.text, stderr: errors, truncated: truncated,
            note: notes.joined(separator: "; "))
    }

    private func format(_ line: RipgrepReport.Line, path: String, maxCharacters: Int) -> String {
        var text = Substring(line.text)
        while let last = text.unicodeScalars.last, last == "\n" || last == "\r" { text = text.dropLast() }
        let (shown, cut) = UTF8Boundary.prefix(text, characters: maxCharacters)
        let separator = line.isMatch ? ":" : "-"
        return "\(path)\(separator)\(line.number)\(separator) \(shown)\(cut ? " [... line cut at \(maxCharacters) characters]" : "")"
    }

    /// Finds `rg` on `PATH`.
    static func locate(in environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/rg") {
            return "\(folder)/rg"
        }
        return nil
    }

    private static func collect(_ stream: AsyncStream<[UInt8]>?, limit: Int) async -> [UInt8] {
        guard let stream else { return [] }
        var kept: [UInt8] = []
        for await chunk in stream where kept.count < limit {
            kept += chunk.prefix(limit - kept.count)
        }
        return kept
    }
}
