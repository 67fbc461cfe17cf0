import Events

#if canImport(Glibc)
    import Glibc
#endif

/// `write`: a whole file, created or replaced in one step, its folders created.
struct WriteTool: Tool {
    struct Input: ToolInput {
        let path: String
        let content: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case path, content
        }

        static func field(_ key: CodingKeys, limits: ToolLimits) -> ToolField {
            switch key {
            case .path: ToolField("The file to write, relative to the workspace root or absolute inside it.")
            case .content: ToolField("The whole new content of the file.")
            }
        }
    }

    let name = "write"
    let description = """
        Create or replace a whole file of the workspace with content, creating missing folders. The file is \
        replaced in one step (a temporary file renamed over it): readers see the old content or the new one, \
        never a part. To change part of a file, use edit.
        """
    let tier = ToolTier.write

    func run(_ input: Input, context: ToolContext) async throws(ToolsError) -> ToolEnvelope {
        try await BlockingIO.run { () throws(ToolsError) in try perform(input, context: context) }
    }

    private func perform(_ input: Input, context: ToolContext) throws(ToolsError) -> ToolEnvelope {
        let file = try context.policy.resolve(input.path)
        let bytes = Array(input.content.utf8)
        try AtomicFile.write(bytes, to: file, policy: context.policy)
        let lines = bytes.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } + (bytes.last.map { $0 == UInt8(ascii: "\n") ? 0 : 1 } ?? 0)
        return .success("\(file.exists ? "replaced" : "created") \(file.relative): \(bytes.count) bytes, \(lines) lines\n")
    }
}
