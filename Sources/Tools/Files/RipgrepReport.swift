import Foundation

/// What `rg --json` printed, reduced to the first `limit` matching lines in path order, whatever order ripgrep's
/// threads finished in, and the count of all of them.
///
/// Files are kept whole (up to `limit` matching lines each) while they may still belong to the first `limit`;
/// the others are only counted, by the prefix of their lines, without decoding them. Only kept lines go through
/// `JSONDecoder`: the path of a `begin` line and the `binary_offset` of an `end` line are read from their bytes. A file that ripgrep found to
/// be binary (its `end` has a `binary_offset`) is dropped and counted apart.
struct RipgrepReport {
    /// One line of a file: a match or a line of context.
    struct Line {
        let number: Int
        let text: String
        let isMatch: Bool
    }

    /// The lines kept of one file.
    struct FileLines {
        let path: String
        var lines: [Line] = []
        var keptMatches = 0
        var matches = 0
    }

    let limit: Int
    /// The kept files, sorted by path.
    private(set) var files: [FileLines] = []
    /// Every matching line of the text files searched.
    private(set) var totalMatches = 0
    private(set) var filesWithMatches = 0
    private(set) var binaryFilesSkipped = 0
    private var current: FileLines?
    private var keepingCurrent = false
    private var keptMatches = 0
    private var pending: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes the next chunk of ripgrep's output.
    mutating func consume(_ chunk: [UInt8]) {
        var start = 0
        while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if pending.isEmpty {
                consumeLine(chunk[start..<newline])
            } else {
                pending += chunk[start..<newline]
                consumeLine(pending[...])
                pending.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
        pending += chunk[start...]
    }

    private static let beginPrefix = Array(#"{"type":"begin""#.utf8)
    private static let matchPrefix = Array(#"{"type":"match""#.utf8)
    private static let contextPrefix = Array(#"{"type":"context""#.utf8)
    private static let endPrefix = Array(#"{"type":"end""#.utf8)

    private mutating func consumeLine(_ line: ArraySlice<UInt8>) {
        if line.starts(with: Self.matchPrefix) {
            guard var file = current else { return }
            file.matches += 1
            if keepingCurrent && file.keptMatches < limit, let message = Self.decode(line), let number = message.data.lineNumber {
                file.lines.append(Line(number: number, text: message.data.lines?.string ?? "", isMatch: true))
                file.keptMatches += 1
            }
            current = file
        } else if line.starts(with: Self.contextPrefix) {
            guard keepingCurrent, var file = current, let message = Self.decode(line), let number = message.data.lineNumber else { return }
            if file.keptMatches >= limit {
                guard let last = file.lines.last, last.number + 1 == number else { return }
            }
            file.lines.append(Line(number: number, text: message.data.lines?.string ?? "", isMatch: false))
            current = file
        } else if line.starts(with: Self.beginPrefix) {
            let path = Self.plainPath(line) ?? Self.decode(line)?.data.path?.string ?? ""
            current = FileLines(path: Self.trimmed(path))
            keepingCurrent = keptMatches < limit || files.last.map { current!.path.utf8.lexicographicallyPrecedes($0.path.utf8) } ?? true
        } else if line.starts(with: Self.endPrefix) {
            guard let file = current else { return }
            current = nil
            if ByteSearch.occurrences(of: Self.notBinary, in: Array(line), limit: 1).isEmpty && Self.decode(line)?.data.binaryOffset != nil
            {
                binaryFilesSkipped += 1
                return
            }
            totalMatches += file.matches
            filesWithMatches += file.matches > 0 ? 1 : 0
            guard keepingCurrent, file.keptMatches > 0 else { return }
            let index = files.firstIndex { file.path.utf8.lexicographicallyPrecedes($0.path.utf8) } ?? files.endIndex
            files.insert(file, at: index)
            keptMatches += file.keptMatches
            while let last = files.last, files.count > 1, keptMatches - last.keptMatches >= limit {
                keptMatches -= last.keptMatches
                files.removeLast()
            }
        }
    }

    private static let pathPrefix = Array(#"{"type":"begin","data":{"path":{"text":""#.utf8)
    private static let notBinary = Array(#""binary_offset":null"#.utf8)

    /// The path of a `begin` line without decoding it, when it is plain text without escapes (almost always);
    /// `nil` sends the line to the decoder.
    private static func plainPath(_ line: ArraySlice<UInt8>) -> String? {
        guard line.starts(with: pathPrefix) else { return nil }
        let start = line.startIndex + pathPrefix.count
        guard let end = line[start...].firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
            line[end] == UInt8(ascii: "\"")
        else { return nil }
        return String(decoding: line[start..<end], as: UTF8.self)
    }

    /// `./a/b` as `a/b`.
    private static func trimmed(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        return String(path)
    }

    private struct Message: Decodable {
        let data: Payload
    }

    private struct Payload: Decodable {
        let path: Text?
        let lines: Text?
        let lineNumber: Int?
        let binaryOffset: Int?

        enum CodingKeys: String, CodingKey {
            case path, lines
            case lineNumber = "line_number"
            case binaryOffset = "binary_offset"
        }
    }

    /// ripgrep's way of giving text: `{"text": ...}` for UTF-8, `{"bytes": base64}` otherwise.
    private struct Text: Decodable {
        let text: String?
        let bytes: String?

        var string: String {
            if let text { return text }
            guard let bytes, let data = Data(base64Encoded: bytes) else { return "" }
            return String(decoding: data, as: UTF8.self)
        }
    }

    private static func decode(_ line: ArraySlice<UInt8>) -> Message? {
        try? JSONDecoder().decode(Message.self, from: Data(line))
    }
}
