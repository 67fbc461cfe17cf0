import Foundation

/// Builds one `CompletionResponse` from the chunks of a streamed chat completion, as they arrive.
///
/// Text deltas are appended and handed out; tool calls are assembled by `index` (the id and the name from their
/// first delta, `arguments` concatenated; a server that sends no `index` gets one from the call's id or
/// position); `finish_reason` is the last one a choice gave; usage comes from the chunk that carries it (the last
/// one, with `choices: []`), and stays unknown when none does. An error object in the stream is classified as the
/// same error body would be with status 200.
struct OpenAIStreamAssembler {
    private struct PartialCall {
        var id: String?
        var name: String?
        var arguments = ""
        var announced = false
    }

    let reader: OpenAIResponseReader
    let headers: [String: String]
    private(set) var text = ""
    private var sawText = false
    private var refusal: String?
    private var calls: [Int: PartialCall] = [:]
    private var callOrder: [Int] = []
    private var providerFinishReason: String?
    private var usage: JSONValue?
    private var id: String?
    private var model: String?
    /// Whether `data: [DONE]` arrived.
    private(set) var isDone = false
    /// Whether any piece of the answer (text, refusal or tool call) arrived.
    private(set) var hasContent = false

    init(reader: OpenAIResponseReader, headers: [String: String]) {
        self.reader = reader
        self.headers = headers
    }

    /// Whether the stream reached an end of its own (`[DONE]`, or at least a finish reason), rather than being cut.
    var isComplete: Bool { isDone || providerFinishReason != nil }

    /// Takes one event; returns the deltas it brought, in order.
    /// - Throws: the error the stream carried, or `malformedResponse` for data that is not a chunk.
    mutating func consume(_ event: ServerSentEvent) throws(ModelError) -> [CompletionDelta] {
        if Self.isDoneMarker(event.data) {
            isDone = true
            return []
        }
        guard !isDone else { return [] }
        guard let chunk = try? JSONValue(parsing: event.data), chunk.objectValue != nil else {
            throw ModelError(
                .malformedResponse, "model call to \(reader.host) failed: the stream sent data that is not a chunk",
                status: 200, requestID: headers["x-request-id"]
            ).receiving(text)
        }
        if let error = chunk["error"], error != .null {
            throw reader.classify(status: 200, error: error, headers: headers).receiving(text)
        }
        if event.type == "error" {
            throw reader.classify(status: 200, error: chunk, headers: headers).receiving(text)
        }
        if id == nil { id = chunk["id"]?.stringValue }
        if let name = chunk["model"]?.stringValue, !name.isEmpty { model = name }
        if let counts = chunk["usage"], counts != .null { usage = counts }
        var deltas: [CompletionDelta] = []
        for choice in chunk["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
            if let reason = choice["finish_reason"]?.stringValue { providerFinishReason = reason }
            guard let delta = choice["delta"] ?? choice["message"] else { continue }
            if let piece = Self.text(delta["content"]), !piece.isEmpty {
                text += piece
                sawText = true
                hasContent = true
                deltas.append(.text(piece))
            }
            if let piece = delta["refusal"]?.stringValue, !piece.isEmpty {
                refusal = (refusal ?? "") + piece
                hasContent = true
            }
            var toolCalls = delta["tool_calls"]?.arrayValue ?? []
            if toolCalls.isEmpty, let legacy = delta["function_call"], legacy != .null { toolCalls = [["index": 0, "function": legacy]] }
            for (position, call) in toolCalls.enumerated() {
                if let announced = take(call, position: position) { deltas.append(announced) }
            }
        }
        return deltas
    }

    /// Adds one tool-call delta; returns the announcement of a call whose name just arrived.
    private mutating func take(_ delta: JSONValue, position: Int) -> CompletionDelta? {
        let deltaID = delta["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let index: Int
        if let given = delta["index"]?.intValue {
            index = given
        } else if let deltaID {
            index = calls.first { $0.value.id == deltaID }?.key ?? (callOrder.max().map { $0 + 1 } ?? position)
        } else {
            index = callOrder.last ?? position
        }
        if calls[index] == nil {
            calls[index] = PartialCall()
            callOrder.append(index)
        }
        hasContent = true
        var call = calls[index]!
        if call.id == nil, let deltaID { call.id = deltaID }
        let function = delta["function"]
        if call.name == nil, let name = function?["name"]?.stringValue, !name.isEmpty { call.name = name }
        switch function?["arguments"] {
        case .string(let piece)?: call.arguments += piece
        case nil, .null?: break
        case let value?: call.arguments += value.serialized
        }
        var announcement: CompletionDelta?
        if !call.announced, let name = call.name {
            call.announced = true
            announcement = .toolCall(index: callOrder.firstIndex(of: index) ?? index, name: name)
        }
        calls[index] = call
        return announcement
    }

    /// The answer assembled so far, as the unstreamed call would have given it.
    func response(latency: Duration, firstTokenLatency: Duration?, requestedModel: String) -> CompletionResponse {
        let toolCalls = callOrder.enumerated().compactMap { position, index -> ToolCall? in
            guard let call = calls[index], let name = call.name else { return nil }
            let arguments = call.arguments.isEmpty ? "{}" : call.arguments
            var callID = call.id ?? ""
            if callID.isEmpty { callID = "call_" + OpenAIResponseReader.stableHash("\(id ?? "")|\(position)|\(name)|\(arguments)") }
            return ToolCall(id: callID, name: name, arguments: arguments)
        }
        let answer: String? = sawText ? text : nil
        let reason: CompletionResponse.FinishReason =
            !toolCalls.isEmpty ? .toolCalls : providerFinishReason.map(CompletionResponse.FinishReason.init(rawValue:)) ?? .unknown
        return CompletionResponse(
            text: answer, toolCalls: toolCalls, finishReason: reason, providerFinishReason: providerFinishReason,
            inputTokens: (usage?["prompt_tokens"] ?? usage?["input_tokens"])?.intValue,
            outputTokens: (usage?["completion_tokens"] ?? usage?["output_tokens"])?.intValue,
            cachedTokens: (usage?["prompt_tokens_details"] ?? usage?["input_tokens_details"])?["cached_tokens"]?.intValue,
            model: model ?? requestedModel, latency: latency, id: id, refusal: refusal, streamed: true,
            firstTokenLatency: firstTokenLatency)
    }

    /// Whether `data` is `[DONE]`, spaces around it allowed. A chunk goes to the JSON parser as it is (it skips the
    /// whitespace around a value itself): trimming every chunk through Foundation was an eighth of a stream's CPU.
    private static func isDoneMarker(_ data: String) -> Bool {
        data.utf8.count < 32 && data.trimmingCharacters(in: .whitespaces) == "[DONE]"
    }

    /// The text of a delta's `content`: a string, or the `text` of its parts joined.
    private static func text(_ content: JSONValue?) -> String? {
        switch content {
        case .string(let text): return text
        case .array(let parts): return parts.compactMap { $0["text"]?.stringValue }.joined()
        default: return nil
        }
    }
}
