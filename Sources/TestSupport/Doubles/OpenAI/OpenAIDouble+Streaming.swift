import Events
import Foundation

extension OpenAIDouble {
    /// A scripted answer sent as server-sent events, paced, with the faults its `OpenAIStream` asks for.
    func streamedReply(
        text: String?, calls: [OpenAIToolCall], finishReason: String, usage: OpenAIUsage, style: OpenAIStream, request: JSONValue,
        requestBytes: Int, sequence: Int
    ) -> HTTPReply {
        let id = "chatcmpl-\(Self.randomHex(24))"
        let created = Int64(Date().timeIntervalSince1970)
        let model = request["model"] ?? "gpt-4o-mini"
        let includeUsage = style.usage ?? (request["stream_options"]?["include_usage"] == .bool(true))
        let askedForUsage = request["stream_options"]?["include_usage"] == .bool(true)
        func chunk(_ choices: [JSONValue], usage: JSONValue? = nil) -> JSONValue {
            var object: [String: JSONValue] = [
                "id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": model,
                "service_tier": "default", "system_fingerprint": "fp_double", "choices": .array(choices),
            ]
            if askedForUsage || usage != nil { object["usage"] = usage ?? .null }
            return .object(object)
        }
        func choice(_ delta: JSONValue, finishReason: String? = nil) -> JSONValue {
            ["index": 0, "delta": delta, "logprobs": nil, "finish_reason": JSONValue(finishReason)]
        }
        // Every chunk of the answer, in order; `counts` marks those that are tokens (for the pace and the faults).
        var pieces: [(chunk: JSONValue, isToken: Bool)] = [(chunk([choice(["role": "assistant", "content": "", "refusal": nil])]), false)]
        for token in text.map(OpenAIStream.tokens(of:)) ?? [] { pieces.append((chunk([choice(["content": .string(token)])]), true)) }
        for (index, call) in calls.enumerated() {
            var first: [String: JSONValue] = [
                "index": .int(Int64(index)), "type": "function", "function": ["name": .string(call.name), "arguments": ""],
            ]
            if !call.omitsID { first["id"] = .string(call.id ?? "call_\(Self.randomHex(12))\(index)") }
            pieces.append((chunk([choice(["tool_calls": [.object(first)]])]), true))
            let arguments = call.arguments.stringValue ?? call.arguments.serialized
            var rest = Substring(arguments)
            while !rest.isEmpty {
                let piece = rest.prefix(style.argumentPieceSize)
                rest = rest.dropFirst(piece.count)
                pieces.append(
                    (
                        chunk([choice(["tool_calls": [["index": .int(Int64(index)), "function": ["arguments": .string(String(piece))]]]])]),
                        true
                    ))
            }
        }
        pieces.append((chunk([choice([:], finishReason: finishReason)]), false))
        if includeUsage,
            let counts = Self.usageObject(usage, requestBytes: requestBytes, answerCharacters: (text ?? "").count + calls.count * 16)
        {
            pieces.append((chunk([], usage: counts), false))
        }
        let chunks = pieces
        return .streamed(
            200,
            headers: [("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-cache")] + Self.standardHeaders(),
            HTTPBodyStream(framing: style.framing) { [self] writer in
                let start = Date().addingTimeInterval(style.firstTokenDelay.timeInterval)
                var tokens = 0
                for piece in chunks {
                    if piece.isToken {
                        if let cut = style.cutAfter, tokens >= cut { return .cut }
                        if let failAfter = style.errorAfter, tokens >= failAfter {
                            writer.write("data: \(JSONValue.object(["error": style.error]).serialized)\n\n")
                            return .complete
                        }
                        let due = style.tokensPerSecond > 0 ? start.addingTimeInterval(Double(tokens) / style.tokensPerSecond) : start
                        guard waitUntil(due) else { return .cut }
                        tokens += 1
                        if tokens == 1 { noteFirstToken(of: sequence) }
                    }
                    check(chunk: piece.chunk)
                    guard writer.write("data: \(piece.chunk.serialized)\n\n") else { return .cut }
                }
                noteTokens(tokens, of: sequence)
                writer.write("data: [DONE]\n\n")
                return .complete
            })
    }

    /// The `usage` object of an answer, or `nil` when it has none.
    static func usageObject(_ usage: OpenAIUsage, requestBytes: Int, answerCharacters: Int) -> JSONValue? {
        let counts: (prompt: Int, completion: Int, cached: Int)
        switch usage {
        case .omitted: return nil
        case .exact(let prompt, let completion, let cached): counts = (prompt, completion, cached)
        case .automatic: counts = (requestBytes / 4 + 1, max(1, answerCharacters / 4), 0)
        }
        return [
            "prompt_tokens": .int(Int64(counts.prompt)), "completion_tokens": .int(Int64(counts.completion)),
            "total_tokens": .int(Int64(counts.prompt + counts.completion)),
            "prompt_tokens_details": ["cached_tokens": .int(Int64(counts.cached)), "audio_tokens": 0],
            "completion_tokens_details": [
                "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
            ],
        ]
    }

    /// Waits until `date` unless the double stops first; false when it stopped.
    func waitUntil(_ date: Date) -> Bool {
        locked {
            while !isStopped && Date() < date { _ = condition.wait(until: date) }
            return !isStopped
        }
    }

    /// Records the chunk's problems, should the double ever send one the specification does not allow.
    private func check(chunk: JSONValue) {
        guard let problems = specification?.checkStreamChunk(chunk), !problems.isEmpty else { return }
        locked { recordViolations(problems) }
    }
}

extension Duration {
    /// In seconds, for Foundation.
    var timeInterval: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
