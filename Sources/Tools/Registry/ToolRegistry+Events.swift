import Events

extension ToolRegistry {
    /// Runs a call of the model and records it as a `tool_call` span under `parent`.
    ///
    /// Writes `tool_call.started {tool, call_id, args}` (secrets in the arguments masked), then
    /// `tool_call.completed {ok, exit_code, truncated, duration_ms}` (plus `error` when `ok` is false) when the tool
    /// ran, or `tool_call.failed {error, refused: true}` when the policy or the schema refused it.
    /// - Throws: `EventsError` when the opening event cannot be written; nothing has run then. A failure to write
    ///   the closing event is returned in `recordingError`, since the tool has run.
    public func call(
        _ name: String,
        arguments: String,
        callID: String,
        recordingIn store: EventStore,
        parent: Int64?,
        run: Int64? = nil,
        chat: Int64? = nil
    ) async throws(EventsError) -> ToolCallResult {
        let masker = policy.secretMasker
        // Longer texts are cut by the store anyway; the margin is longer than any secret, so none is cut in two
        // inside what the store keeps.
        let keep = PayloadSanitizer.maxTextBytes + 1024
        let recordedArguments: JSONValue =
            if let parsed = try? JSONValue(parsing: arguments) {
                masker.mask(parsed, maxBytes: keep)
            } else {
                masker.mask(.string(arguments), maxBytes: keep)
            }
        let span = try store.startSpan(
            "tool_call", parent: parent, run: run, chat: chat,
            payload: ["tool": .string(name), "call_id": .string(callID), "args": recordedArguments])
        var result = await call(name, arguments: arguments)
        let envelope = result.envelope
        do {
            if let refusal = result.refusal {
                try span.fail(["error": .string(masker.mask(refusal.message)), "refused": true])
            } else {
                var payload: JSONObject = [
                    "ok": .bool(envelope.ok), "exit_code": JSONValue(envelope.exitCode), "truncated": .bool(envelope.truncated),
                    "duration_ms": JSONValue(envelope.durationMs),
                ]
                if let error = envelope.error { payload["error"] = .string(masker.mask(error)) }
                try span.complete(payload)
            }
        } catch {
            result.recordingError = error
        }
        return result
    }
}
