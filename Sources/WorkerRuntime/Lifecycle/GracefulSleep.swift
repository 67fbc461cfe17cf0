import ServiceLifecycle

/// Sleeps for `delay`, or less when a graceful shutdown starts: no loop makes the stop wait for its backoff.
func sleepUnlessShuttingDown(for delay: Duration) async {
    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
}
