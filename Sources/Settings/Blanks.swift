extension StringProtocol {
    /// The text without the spaces and tabs around it (what a hand-edited `.env` or a child's output line leaves
    /// there); `trimmingCharacters(in: .whitespaces)` without Foundation.
    public var trimmingBlanks: SubSequence {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let start = firstIndex { !isBlank($0) } ?? endIndex
        let end = lastIndex { !isBlank($0) }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
