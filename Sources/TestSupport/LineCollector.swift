import Foundation
import ProcessControl

/// Collects the lines a child process prints, so that a test can wait for the next one with a deadline.
public actor LineCollector {
    /// A line and when it arrived, in `CLOCK_REALTIME` nanoseconds (comparable across processes).
    public struct Line: Sendable {
        public let text: String
        public let arrivedNanoseconds: Int64
    }

    private var lines: [Line] = []
    private var consumed = 0
    private var finished = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Starts collecting `stream` in the background.
    public init(_ stream: AsyncStream<[UInt8]>) {
        let lineStream = stream.lines
        Task { [weak self] in
            for await line in lineStream { await self?.append(line) }
            await self?.finish()
        }
    }

    /// The next line not yet returned, or `nil` when none arrives within `timeout` (or the stream ended).
    public func next(timeout: Duration) async -> Line? {
        let deadline = ContinuousClock.now + timeout
        while consumed >= lines.count {
            if finished || ContinuousClock.now >= deadline { return nil }
            let timer = Task { [weak self] in
                try? await Task.sleep(until: deadline)
                await self?.wakeAll()
            }
            await withCheckedContinuation { waiters.append($0) }
            timer.cancel()
        }
        consumed += 1
        return lines[consumed - 1]
    }

    /// Every line collected so far.
    public var all: [String] { lines.map(\.text) }

    private func append(_ text: String) {
        lines.append(Line(text: text, arrivedNanoseconds: Self.realtimeNanoseconds()))
        wakeAll()
    }

    /// The wall clock in nanoseconds, as another process stamps it.
    public static func realtimeNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    private func finish() {
        finished = true
        wakeAll()
    }

    private func wakeAll() {
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter.resume() }
    }
}
