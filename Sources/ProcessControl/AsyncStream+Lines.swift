extension AsyncStream where Element == [UInt8] {
    /// The bytes split into lines (without their `\n`); a last line without a newline is delivered at the end.
    public var lines: AsyncStream<String> {
        let (lines, continuation) = AsyncStream<String>.makeStream()
        let chunks = self
        let task = Task {
            var pending: [UInt8] = []
            for await chunk in chunks {
                var start = chunk.startIndex
                while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    pending += chunk[start..<newline]
                    continuation.yield(String(decoding: pending, as: UTF8.self))
                    pending.removeAll(keepingCapacity: true)
                    start = newline + 1
                }
                pending += chunk[start...]
            }
            if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return lines
    }
}
