import Events
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `edit`: replaces one exact, unique piece of a file, keeping its line endings and its byte order mark.
struct EditTool: Tool {
    struct Input: ToolInput {
        let path: String
        let oldText: String
        let newText: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path
            case oldText = "old_text"
            case newText = "new_text"
        }

        static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField {
            switch key {
            case .path: ToolField("The file to change, relative to the workspace root or absolute inside it.")
            case .oldText:
                ToolField("The exact text to replace, whitespace and line breaks included; it must occur exactly once in the file.")
            case .newText: ToolField("The text to put in its place (empty to delete it).")
            }
        }
    }

    /// The largest file `edit` loads.
    static let maximumBytes = 64 << 20

    let name = "edit"
    let description = """
        Replace one exact piece of a file of the workspace: old_text must occur exactly once (copy it from read, \
        whitespace included; add surrounding lines to make it unique). Line endings (CRLF) and a byte order mark \
        are kept. The file is replaced in one step.
        """
    let tier = ToolTier.write

    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        try await BlockingIO.run { () throws(ToolsError) in try perform(input, context: context) }
    }

    private func perform(_ input: Input, context: ToolContext) throws(ToolsError) -> ToolEnvelope {
        let file = try context.policy.resolve(input.path)
        guard !input.oldText.isEmpty else {
            throw ToolsError(.failed, "old_text is empty; give the text to replace (to write a whole file, use write)")
        }
        guard file.exists else { throw ToolsError(.failed, "\(file.relative) does not exist; create it with write") }
        let content = try AnchoredOpen.withDescriptor(file, in: context.policy, flags: O_RDONLY) { (fd) throws(ToolsError) in
            try Self.load(fd, file: file)
        }
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let hasBOM = content.starts(with: bom)
        let body = hasBOM ? Array(content.dropFirst(3)) : content
        var old = Array(input.oldText.utf8)
        var new = Array(input.newText.utf8)
        var matches = ByteSearch.occurrences(of: old, in: body)
        if matches.isEmpty && ByteSearch.occurrences(of: [0x0D, 0x0A], in: body, limit: 1).count == 1 && !input.oldText.contains("\r\n") {
            old = Array(input.oldText.replacingOccurrences(of: "\n", with: "\r\n").utf8)
            new = Array(input.newText.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            matches = ByteSearch.occurrences(of: old, in: body)
        }
        guard matches.count == 1, let at = matches.first else {
            throw matches.isEmpty ? notFound(input.oldText, in: body, file: file) : ambiguous(matches, in: body, file: file)
        }
        guard old != new else { throw ToolsError(.failed, "old_text and new_text are the same: nothing to change") }
        var result: [UInt8] = hasBOM ? bom : []
        result.reserveCapacity(content.count - old.count + new.count)
        result.append(contentsOf: body[..<at])
        result.append(contentsOf: new)
        result.append(contentsOf: body[(at + old.count)...])
        try AtomicFile.write(result, to: file, policy: context.policy)
        let line = Self.lineNumber(at: at, in: body)
        let removed = old.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        let added = new.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        return .success("edited \(file.relative) at line \(line): \(removed + 1) line(s) replaced by \(added + 1)\n")
    }

    private static func load(_ fd: Int32, file: ResolvedPath) throws(ToolsError) -> [UInt8] {
        var status = stat()
        fstat(fd, &status)
        guard status.st_mode & S_IFMT == S_IFREG else { throw ToolsError(.failed, "\(file.relative) is not a regular file") }
        guard Int(status.st_size) <= maximumBytes else {
            throw ToolsError(.failed, "\(file.relative) is larger than \(maximumBytes >> 20) MiB; change it with bash (sed) instead")
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        if bytes.prefix(ReadTool.binaryProbeBytes).contains(0) {
            throw ToolsError(.failed, "\(file.relative) is a binary file; edit only changes text files")
        }
        return bytes
    }

    private func notFound(_ old: String, in body: [UInt8], file: ResolvedPath) -> ToolsError {
        var message =
            "old_text was not found in \(file.relative); it must match exactly, whitespace and line breaks included. Read the file again and copy the text"
        let firstLine = old.split(separator: "\n", omittingEmptySubsequences: true).first?.trimmingCharacters(in: .whitespaces) ?? ""
        if !firstLine.isEmpty, let at = ByteSearch.occurrences(of: Array(firstLine.utf8), in: body, limit: 1).first {
            message += " (its first line, without indentation, appears at line \(Self.lineNumber(at: at, in: body)))"
        }
        return ToolsError(.failed, message)
    }

    private func ambiguous(_ matches: [Int], in body: [UInt8], file: ResolvedPath) -> ToolsError {
        let lines = matches.prefix(10).map { String(Self.lineNumber(at: $0, in: body)) }.joined(separator: ", ")
        return ToolsError(
            .failed,
            "old_text occurs \(matches.count) times in \(file.relative) (at lines \(lines)\(matches.count > 10 ? ", ..." : "")); "
                + "include more of the surrounding lines so that it occurs exactly once")
    }

    private static func lineNumber(at offset: Int, in bytes: [UInt8]) -> Int {
        bytes[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }
}
