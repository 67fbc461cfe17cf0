import Events

extension OpenAIAnswer {
    /// An answer described in JSON: `{"text": "..."}`, `{"tool_calls": [{"id"?, "name", "arguments"}], "text"?}`
    /// (either may add `"usage": "omitted"` or `{"prompt", "completion", "cached"}`, and `"finish_reason"`),
    /// `{"error": "rate_limited", "retry_after": 2}` (also `insufficient_quota`, `context_length_exceeded`,
    /// `invalid_api_key`, `server_error`, `overloaded`), `{"status", "body", "headers"?}`, `{"malformed": true}`,
    /// `{"drop": true}`; any of them with `"delay_ms"`. A text or tool-call answer may add `"stream": {"tokens_per_s",
    /// "usage" (true/false), "cut_after", "error_after", "ignore" (true: one JSON body), "close_delimited",
    /// "argument_piece", "first_token_delay_ms"}`: how it streams to a request with `stream: true`.
    public init(control: JSONValue) throws(DoubleError) {
        var answer: OpenAIAnswer
        let usage: OpenAIUsage =
            switch control["usage"] {
            case .string("omitted")?: .omitted
            case .object(let counts)?:
                .exact(
                    prompt: Int(counts["prompt"]?.int64Value ?? 0), completion: Int(counts["completion"]?.int64Value ?? 0),
                    cached: Int(counts["cached"]?.int64Value ?? 0))
            default: .automatic
            }
        if let calls = control["tool_calls"]?.arrayValue {
            answer = .toolCalls(
                calls.map { call in
                    OpenAIToolCall(
                        id: call["id"]?.stringValue, name: call["name"]?.stringValue ?? "",
                        argumentsObject: call["arguments"].map { $0.stringValue != nil ? $0 : .string($0.serialized) } ?? "{}")
                },
                text: control["text"]?.stringValue, usage: usage, finishReason: control["finish_reason"]?.stringValue ?? "tool_calls")
        } else if let text = control["text"]?.stringValue {
            answer = .text(text, usage: usage, finishReason: control["finish_reason"]?.stringValue ?? "stop")
        } else if let error = control["error"]?.stringValue {
            switch error {
            case "rate_limited": answer = .rateLimited(retryAfter: Int(control["retry_after"]?.int64Value ?? 1))
            case "insufficient_quota": answer = .insufficientQuota
            case "context_length_exceeded": answer = .contextLengthExceeded
            case "invalid_api_key": answer = .invalidAPIKey
            case "server_error": answer = .serverError
            case "overloaded": answer = .overloaded
            default: throw DoubleError(.invalidScript, "unknown error \(error)")
            }
        } else if let status = control["status"]?.int64Value, let body = control["body"]?.stringValue {
            answer = .raw(
                status: Int(status), headers: (control["headers"]?.objectValue ?? [:]).compactMapValues(\.stringValue), body: body)
        } else if control["malformed"] == .bool(true) {
            answer = .malformedBody
        } else if control["drop"] == .bool(true) {
            answer = .dropConnection
        } else {
            throw DoubleError(.invalidScript, "an answer needs text, tool_calls, error, status and body, malformed or drop")
        }
        if let stream = control["stream"]?.objectValue {
            answer = .streamed(
                answer,
                OpenAIStream(
                    tokensPerSecond: stream["tokens_per_s"]?.doubleValue ?? 0, usage: stream["usage"]?.boolValue,
                    cutAfter: stream["cut_after"]?.int64Value.map(Int.init), errorAfter: stream["error_after"]?.int64Value.map(Int.init),
                    ignoresStream: stream["ignore"]?.boolValue ?? false,
                    framing: stream["close_delimited"]?.boolValue == true ? .closeDelimited : .chunked,
                    argumentPieceSize: Int(stream["argument_piece"]?.int64Value ?? 4),
                    firstTokenDelay: .milliseconds(stream["first_token_delay_ms"]?.int64Value ?? 0)))
        }
        if let delay = control["delay_ms"]?.int64Value { answer = .delayed(.milliseconds(delay), answer) }
        self = answer
    }
}
