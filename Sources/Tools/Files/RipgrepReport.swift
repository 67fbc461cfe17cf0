/// What ripgrep printed (`--null --with-filename --line-number --no-heading --color never --no-context-separator`),
/// reduced to the first `limit` matching lines in path order, whatever order ripgrep's threads finished in, and the
/// count of all of them.
///
/// Each line of that output is `path NUL number : text` for a match and `path NUL number - text` for context;
/// ripgrep writes each file's lines together. A line without a NUL is either the start of a path holding a line
/// break (it is joined to what follows) or ripgrep's note that a file is binary (`path: binary file matches (found
/// "\0" byte around offset N)`, or `path: WARNING: stopped searching binary file after match ...`): such a file is
/// dropped and counted apart. Files are kept whole (up to `limit` matching lines each) while they may still belong
/// to the first `limit`; the others are only counted. The plain format is a tenth of the size of `--json`, and
/// reading it needs no JSON decoding: that was most of the tool's cost beside ripgrep's own.
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
    private var currentPath: [UInt8] = []
    private var keepingCurrent = false
    private var keptMatches = 0
    private var pending: [UInt8] = []
    /// The lines without a NUL seen since the last record: the start of a path with a line break in it.
    private var pathStart: [UInt8] = []

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

    /// Ends the report once ripgrep's output has ended.
    mutating func finish() {
        if !pending.isEmpty {
            consumeLine(pending[...])
            pending.removeAll()
        }
        endFile()
    }

    private static let binaryNotes = [Array(": binary file matches (".utf8), Array(": WARNING: stopped searching binary file".utf8)]

    private mutating func consumeLine(_ line: ArraySlice<UInt8>) {
        guard let nul = line.firstIndex(of: 0) else {
            for note in Self.binaryNotes {
                if let at = ByteSearch.occurrences(of: note, in: Array(line), limit: 1).first {
                    binary(path: pathStart + line.prefix(at))
                    pathStart.removeAll()
                    return
                }
            }
            pathStart += line
            pathStart.append(UInt8(ascii: "\n"))
            return
        }
        var index = nul + 1
        var number = 0
        while index < line.endIndex, line[index] >= UInt8(ascii: "0"), line[index] <= UInt8(ascii: "9") {
            number = number &* 10 &+ Int(line[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index < line.endIndex, line[index] == UInt8(ascii: ":") || line[index] == UInt8(ascii: "-") else { return }
        let isMatch = line[index] == UInt8(ascii: ":")
        let path = line[line.startIndex..<nul]
        let samePath = pathStart.isEmpty ? path.elementsEqual(currentPath) : (pathStart + path).elementsEqual(currentPath)
        if current == nil || !samePath {
            endFile()
            currentPath = pathStart + path
            beginFile(Self.trimmed(String(decoding: currentPath, as: UTF8.self)))
        }
        pathStart.removeAll()
        guard var file = current else { return }
        current = nil
        if isMatch { file.matches += 1 }
        if keepingCurrent && (isMatch ? file.keptMatches < limit : keepsContext(number, in: file)) {
            file.lines.append(Line(number: number, text: String(decoding: line[(index + 1)...], as: UTF8.self), isMatch: isMatch))
            if isMatch { file.keptMatches += 1 }
        }
        current = file
    }

    /// Context is kept while the file's matches are kept, and right after the last kept match.
    private func keepsContext(_ number: Int, in file: FileLines) -> Bool {
        guard file.keptMatches >= limit else { return true }
        guard let last = file.lines.last else { return false }
        return last.number + 1 == number
    }

    private mutating func beginFile(_ path: String) {
        current = FileLines(path: path)
        keepingCurrent = keptMatches < limit || files.last.map { path.utf8.lexicographicallyPrecedes($0.path.utf8) } ?? true
    }

    /// ripgrep found the file `path` binary: what it printed of it is dropped.
    private mutating func binary(path: [UInt8]) {
        if current != nil && path.elementsEqual(currentPath) {
            current = nil
        }
        binaryFilesSkipped += 1
    }

    private mutating func endFile() {
        guard let file = current else { return }
        current = nil
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

    /// `./a/b` as `a/b`.
    private static func trimmed(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        return String(path)
    }
}
