/// What a finished child left behind: how it ended and the tail of what it printed.
public struct ProcessResult: Sendable {
    public let status: TerminationStatus
    /// Whether the deadline passed and the child was killed.
    public let timedOut: Bool
    /// The last `outputLimit` bytes of standard output, as text.
    public let standardOutput: String
    /// The last `outputLimit` bytes of standard error, as text.
    public let standardError: String
}

/// Runs a child to its end and collects the tail of its output.
public enum ProcessRunner {
    /// Starts `spec` with both outputs on pipes, waits up to `timeout`, and keeps the last `outputLimit` bytes of
    /// each stream (so that a child printing gigabytes costs bounded memory).
    public static func run(
        _ spec: ProcessSpec,
        timeout: Duration = .seconds(600),
        outputLimit: Int = 1 << 20
    ) async throws(ProcessControlError) -> ProcessResult {
        var spec = spec
        spec.standardOutput = .pipe
        spec.standardError = .pipe
        let child = try ChildProcess.spawn(spec)
        async let output = collectTail(child.output, limit: outputLimit)
        async let error = collectTail(child.errorOutput, limit: outputLimit)
        let (status, timedOut) = await child.wait(timeout: timeout)
        return ProcessResult(
            status: status, timedOut: timedOut,
            standardOutput: String(decoding: await output, as: UTF8.self),
            standardError: String(decoding: await error, as: UTF8.self))
    }

    private static func collectTail(_ stream: AsyncStream<[UInt8]>?, limit: Int) async -> [UInt8] {
        guard let stream else { return [] }
        var tail: [UInt8] = []
        for await chunk in stream {
            tail += chunk
            if tail.count > 2 * limit { tail.removeFirst(tail.count - limit) }
        }
        if tail.count > limit { tail.removeFirst(tail.count - limit) }
        return tail
    }
}
