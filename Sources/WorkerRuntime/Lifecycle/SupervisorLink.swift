import Foundation
import Logging
import ProcessControl
import ServiceLifecycle

/// The worker's side of the supervisor protocol (SPEC section 1): `READY=1` once, then `WATCHDOG=1` every third of the
/// watchdog period while no component of the worker is stalled (`ProgressClock`: the poller, the sender and the
/// dispatcher with its agent runs), on standard output; and the end of standard input (the supervisor is gone)
/// stops the worker as SIGTERM does.
public struct SupervisorLink: Service {
    public let watchdog: Duration
    /// The progress of the worker's components: a stalled one stops the beats (a hung worker is then killed).
    public let progress: ProgressClock
    public let logger: Logger

    public init(watchdog: Duration, progress: ProgressClock, logger: Logger) {
        self.watchdog = watchdog
        self.progress = progress
        self.logger = logger
    }

    public func run() async throws {
        Self.emit("READY=1")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // The end of standard input (the supervisor is gone, or closed it to stop us) stops the worker the
                // way SIGTERM does, in the group's order; a SIGTERM already under way makes this one a no-op.
                await Self.waitForEndOfStandardInput()
                guard !Task.isCancelled else { return }
                logger.info("standard input closed: the supervisor is gone or asks to stop")
                kill(getpid(), SIGTERM)
            }
            await beat()
            group.cancelAll()
        }
    }

    /// Beats until the graceful shutdown reaches this service, which is the last one to stop.
    private func beat() async {
        let interval = watchdog / 3  // "At least every half period": a third leaves room for a slow beat.
        while !Task.isShuttingDownGracefully {
            let stalls = progress.stalls()
            if stalls.isEmpty {
                Self.emit("WATCHDOG=1")
            } else {
                logger.error(
                    "no progress: withholding the watchdog beat",
                    metadata: ["stalled": "\(stalls.map(\.description).joined(separator: "; "))"])
            }
            await sleepUnlessShuttingDown(for: interval)
        }
    }

    /// Writes one protocol line on standard output, at once.
    static func emit(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    /// Returns when standard input reaches its end (read on a thread of its own), or when the task is cancelled.
    static func waitForEndOfStandardInput() async {
        let endOfInput = StopSignal()
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count > 0 { continue }
                if count < 0 && errno == EINTR { continue }
                break
            }
            endOfInput.raise()
        }
        thread.name = "stdin-watch"
        thread.start()
        await endOfInput.wait()
    }
}

extension SupervisorLink: CustomStringConvertible, CustomReflectable {
    /// The name only: the settings inside hold secrets, and service groups log their services.
    public var description: String { "SupervisorLink" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
