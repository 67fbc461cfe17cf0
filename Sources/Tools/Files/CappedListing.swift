/// Lines joined into one output that stays within the byte limit of an envelope.
struct CappedListing {
    let text: String
    /// How many of the lines fit.
    let shown: Int

    init(_ lines: [String], maxBytes: Int) {
        var text = ""
        var bytes = 0
        var shown = 0
        for line in lines {
            let size = line.utf8.count + 1
            if bytes + size > maxBytes { break }
            text += line
            text += "\n"
            bytes += size
            shown += 1
        }
        self.text = text
        self.shown = shown
    }
}
