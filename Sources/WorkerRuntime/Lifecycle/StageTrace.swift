import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// When each message passed each stage of the worker, for `make bench` (`AGENT_TRACE_STAGES=1`): so that the
/// latency the worker adds, and its tail, have names.
///
/// Off (the default), every mark is one comparison. On, the times of one message are kept in memory from its poll
/// to the sending of its reply's first part, then written to standard error as one line:
/// `stage-trace update=42 stored=0.210 dispatched=0.415 model_called=0.902 model_answered=1.344 answer_stored=1.610
/// sent=2.930` (milliseconds after `getUpdates` returned the message).
public final class StageTrace: Sendable {
    /// The stages, in the order a message passes them.
    public enum Stage: String, Sendable, CaseIterable {
        case polled
        case stored
        case dispatched
        case modelCalled = "model_called"
        case modelAnswered = "model_answered"
        case answerStored = "answer_stored"
        case sent
    }

    /// Whether marks are kept.
    public let isEnabled: Bool
    private let marks = Mutex(Marks())

    private struct Marks {
        /// By update id, until the update is dispatched and its inbox row known.
        var byUpdate: [Int64: [Stage: UInt64]] = [:]
        /// By inbox row id, from the dispatch on.
        var byRow: [Int64: [Stage: UInt64]] = [:]
    }

    /// Messages whose reply never comes (commands, refusals) are dropped past this many.
    static let capacity = 10_000

    public init(enabled: Bool) {
        isEnabled = enabled
    }

    /// Marks a stage of updates not yet dispatched (`polled`, `stored`).
    public func mark(_ stage: Stage, updates: some Sequence<Int64>) {
        guard isEnabled else { return }
        let now = Self.now()
        marks.withLock { marks in
            if marks.byUpdate.count > Self.capacity { marks.byUpdate.removeAll() }
            for update in updates { marks.byUpdate[update, default: [:]][stage] = now }
        }
    }

    /// Marks the dispatch of the update `update` as inbox row `row`: its later stages are marked by row.
    public func dispatched(update: Int64, row: Int64) {
        guard isEnabled else { return }
        let now = Self.now()
        marks.withLock { marks in
            if marks.byRow.count > Self.capacity { marks.byRow.removeAll() }
            var stages = marks.byUpdate.removeValue(forKey: update) ?? [:]
            stages[.dispatched] = now
            marks.byRow[row] = stages
        }
    }

    /// Marks a stage of inbox row `row`, the first time only; `sent` ends its trace and writes its line.
    public func mark(_ stage: Stage, row: Int64?) {
        guard isEnabled, let row else { return }
        let now = Self.now()
        let finished = marks.withLock { marks -> [Stage: UInt64]? in
            guard marks.byRow[row] != nil, marks.byRow[row]?[stage] == nil else { return nil }
            marks.byRow[row]?[stage] = now
            return stage == .sent ? marks.byRow.removeValue(forKey: row) : nil
        }
        guard let finished, let start = finished[.polled] ?? finished[.dispatched] else { return }
        var line = "stage-trace row=\(row)"
        for stage in Stage.allCases.dropFirst() {
            guard let time = finished[stage] else { continue }
            line += " \(stage.rawValue)=" + String(format: "%.3f", Double(time &- start) / 1e6)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
