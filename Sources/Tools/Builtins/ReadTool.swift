import Events
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `read`: a page of a text file, from a 1-based line, with the line to continue from.
struct ReadTool: Tool {
    struct Input: ToolInput {
        let path: String
        let offset: Int?
        let limit: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path, offset, limit
        }

        static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField {
            switch key {
            case .path: ToolField("The file to read, relative to the workspace root or absolute inside it.")
            case .offset: ToolField("The first line to show, counting from 1.", default: 1, minimum: 1)
            case .limit:
                ToolField(
                    "The most lines to show (the page also stops at \(limits.outputBytes / 1024) KiB).",
                    default: JSONValue(limits.outputLines), minimum: 1, maximum: limits.outputLines)
            }
        }
    }

    /// How many bytes at the start of a file are checked for a NUL byte (the sign of a binary file).
    static let binaryProbeBytes = 8192

    let name = "read"
    let description = """
        Read a text file of the workspace: its lines as they are, from offset (1-based), at most 2000 lines or \
        50 KiB per call. When more follows, next_offset is the line to pass as offset to continue. Binary files \
        are refused; invalid UTF-8 shows as U+FFFD.
        """
    let tier = ToolTier.read

    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        try await BlockingIO.run { () throws(ToolsError) in try perform(input, context: context) }
    }

    private func perform(_ input: Input, context: ToolContext) throws(ToolsError) -> ToolEnvelope {
        let file = try context.policy.resolve(input.path)
        let limits = context.policy.limits
        let offset = input.offset ?? 1
        return try AnchoredOpen.withDescriptor(file, in: context.policy, flags: O_RDONLY) { (fd) throws(ToolsError) in
            try page(of: fd, file: file, offset: offset, limit: input.limit ?? limits.outputLines, limits: limits)
        }
    }

    private func page(of fd: Int32, file: ResolvedPath, offset: Int, limit: Int, limits: ToolLimits) throws(ToolsError) -> ToolEnvelope {
        var status = stat()
        fstat(fd, &status)
        if status.st_mode & S_IFMT == S_IFDIR {
            throw ToolsError(.failed, "\(file.relative) is a folder: use ls to list it")
        }
        let size = Int(status.st_size)
        if size == 0 { return .success("", note: "\(file.relative) is empty") }
        var head = [UInt8](repeating: 0, count: min(size, Self.binaryProbeBytes))
        let headCount = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        if headCount > 0 && head[0..<headCount].contains(0) {
            throw ToolsError(.failed, "\(file.relative) is a binary file (\(size) bytes); inspect it with bash (xxd, od, file) instead")
        }
        let page: LinePage
        do {
            page = try LinePage.read(
                fd, fileSize: size, offset: offset, maxLines: limit, maxBytes: limits.outputBytes)
        } catch {
            switch error {
            case .pastEnd(let lines):
                throw ToolsError(.failed, "offset \(offset) is past the end of \(file.relative), which has \(lines) lines")
            case .system(let code):
                throw ToolsError(.failed, "cannot read \(file.relative): \(String(cString: strerror(code)))")
            }
        }
        var notes: [String] = []
        let text =
            String(validating: page.bytes, as: UTF8.self)
            ?? {
                notes.append("the file is not valid UTF-8: invalid bytes are shown as U+FFFD")
                return String(decoding: page.bytes, as: UTF8.self)
            }()
        let last = page.firstLine + page.lineCount - 1
        if let line = page.cutLine {
            notes.append(
                "line \(line) is longer than \(limits.outputBytes / 1024) KiB and was cut; see the rest with bash (e.g. cut or fold)")
        }
        if let next = page.nextOffset {
            let reason = page.stop == .lines ? "the line limit" : "the \(limits.outputBytes / 1024) KiB limit"
            notes.append("showing lines \(page.firstLine)-\(last) (stopped at \(reason)); call read with offset=\(next) to continue")
        }
        return .success(
            text, truncated: page.nextOffset != nil || page.cutLine != nil, nextOffset: page.nextOffset,
            note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }
}
