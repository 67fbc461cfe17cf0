import Dispatch

/// Runs file-system work on a Dispatch thread, so that a slow disk (an `fsync`, a walk of a large tree, a scan
/// of a 100 MB file) never holds one of the few threads of Swift's cooperative pool, which the worker's other
/// services (the poller, the watchdog) share.
enum BlockingIO {
    /// `body`'s result, computed off the cooperative pool.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(ToolsError) -> T) async throws(ToolsError) -> T {
        let result: Result<T, ToolsError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(ToolsError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}
