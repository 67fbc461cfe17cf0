import Foundation

/// Turns an HTTP answer of the chat-completions API into a `CompletionResponse` or a classified `ModelError`.
struct OpenAIResponseReader {
    let apiKey: String
    let host: String
    /// The current time, for `Retry-After` given as a date.
    var now = Date()

    func read(status: Int, headers: [String: String], body: Data, latency: Duration, requestedModel: String) throws(ModelError)
        -> CompletionResponse
    {
        let json = try? JSONDecoder().decode(JSONValue.self, from: body)
        if let error = json?["error"], error != .null {
            throw classify(status: status, error: error, headers: headers)
        }
        guard (200..<300).contains(status) else { throw classify(status: status, error: nil, headers: headers) }
        guard let json, let choice = json["choices"]?.arrayValue?.first, let message = choice["message"]?.objectValue else {
            throw ModelError(
                .malformedResponse, "model call to \(host) failed: HTTP \(status) with a body that is not a chat completion",
                status: status, requestID: headers["x-request-id"])
        }
        let responseID = json["id"]?.stringValue
        var calls = (message["tool_calls"]?.arrayValue ?? []).enumerated().compactMap { index, call in
            Self.toolCall(call, index: index, responseID: responseID)
        }
        if calls.isEmpty, let legacy = message["function_call"],
            let call = Self.toolCall(["function": legacy], index: 0, responseID: responseID)
        {
            calls = [call]
        }
        var text = Self.text(message["content"])
        if text?.isEmpty == true && !calls.isEmpty { text = nil }
        let providerReason = choice["finish_reason"]?.stringValue
        let reason: CompletionResponse.FinishReason =
            !calls.isEmpty ? .toolCalls : providerReason.map(CompletionResponse.FinishReason.init(rawValue:)) ?? .unknown
        let usage = json["usage"]
        return CompletionResponse(
            text: text, toolCalls: calls, finishReason: reason, providerFinishReason: providerReason,
            inputTokens: (usage?["prompt_tokens"] ?? usage?["input_tokens"])?.intValue,
            outputTokens: (usage?["completion_tokens"] ?? usage?["output_tokens"])?.intValue,
            cachedTokens: (usage?["prompt_tokens_details"] ?? usage?["input_tokens_details"])?["cached_tokens"]?.intValue,
            model: json["model"]?.stringValue ?? requestedModel, latency: latency, id: responseID,
            refusal: message["refusal"]?.stringValue)
    }

    /// The text of `content`: a string, or the `text` of its parts joined.
    private static func text(_ content: JSONValue?) -> String? {
        switch content {
        case .string(let text): return text
        case .array(let parts):
            let texts = parts.compactMap { $0["text"]?.stringValue }
            return texts.isEmpty ? nil : texts.joined()
        default: return nil
        }
    }

    /// A tool call; arguments given as an object are turned into text, and a missing id is made from the response
    /// id, the position, the name and the arguments (the same answer always gives the same id).
    private static func toolCall(_ call: JSONValue, index: Int, responseID: String?) -> ToolCall? {
        guard let function = call["function"], let name = function["name"]?.stringValue, !name.isEmpty else { return nil }
        let arguments: String
        switch function["arguments"] {
        case .string(let text)?: arguments = text
        case nil, .null?: arguments = "{}"
        case let value?: arguments = value.serialized
        }
        var id = call["id"]?.stringValue ?? ""
        if id.isEmpty { id = "call_" + stableHash("\(responseID ?? "")|\(index)|\(name)|\(arguments)") }
        return ToolCall(id: id, name: name, arguments: arguments)
    }

    /// FNV-1a, 64 bits, as 16 hex digits.
    static func stableHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    // MARK: Errors

    /// The error an answer stands for: by its status, or by its body's code when it came with a 2xx status.
    func classify(status: Int, error: JSONValue?, headers: [String: String]) -> ModelError {
        let providerMessage = error?["message"]?.stringValue ?? error?.stringValue
        let providerType = error?["type"]?.stringValue
        let providerCode: String? =
            switch error?["code"] {
            case .string(let text)?: text
            case .int(let number)?: String(number)
            case .double(let number)? where number == number.rounded(): String(Int64(number))
            default: nil
            }
        var effective = status
        if (200..<300).contains(status) {
            if let number = providerCode.flatMap({ Int($0) }) ?? error?["status"]?.intValue, (400...599).contains(number) {
                effective = number
            } else {
                effective = Self.status(forCode: providerCode ?? providerType)
            }
        }
        let words = [providerCode, providerType].compactMap { $0?.lowercased() }
        let code: ModelError.Code
        if words.contains("context_length_exceeded")
            || ([400, 413, 422].contains(effective) && Self.mentionsContextLength(providerMessage ?? ""))
        {
            code = .contextLengthExceeded
        } else if effective == 429 && words.contains("insufficient_quota") {
            code = .quotaExceeded
        } else {
            code =
                switch effective {
                case 401, 403: .authentication
                case 408: .requestTimeout
                case 409: .conflict
                case 429: .rateLimited
                case 400..<500: .badRequest
                default: .serverError
                }
        }
        var message = "model call to \(host) failed: HTTP \(status)"
        if effective != status { message += " (error \(effective))" }
        if let label = providerCode ?? providerType { message += " \(label)" }
        if let providerMessage { message += ": " + scrub(String(providerMessage.prefix(300))) }
        return ModelError(
            code, message, status: status, providerCode: providerCode, providerType: providerType,
            retryAfter: RetryAfter.read(headers, status: effective, now: now), requestID: headers["x-request-id"])
    }

    /// The status an error code given with status 200 stands for.
    private static func status(forCode code: String?) -> Int {
        switch code?.lowercased() {
        case "rate_limit_exceeded", "rate_limit_error", "insufficient_quota", "too_many_requests": 429
        case "context_length_exceeded", "invalid_request_error", "invalid_request", "bad_request", "model_not_found": 400
        case "invalid_api_key", "authentication_error", "unauthorized": 401
        case "permission_error", "permission_denied": 403
        default: 500
        }
    }

    private static func mentionsContextLength(_ message: String) -> Bool {
        let text = message.lowercased()
        return ["maximum context length", "context length", "context_length_exceeded", "context window", "prompt is too long"]
            .contains { text.contains($0) }
    }

    /// `text` with the API key cut out, should a server echo it.
    private func scrub(_ text: String) -> String {
        apiKey.isEmpty ? text : text.replacingOccurrences(of: apiKey, with: "<redacted>")
    }
}
