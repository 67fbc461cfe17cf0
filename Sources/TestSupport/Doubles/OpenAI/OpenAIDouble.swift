import Events
import Foundation

/// An OpenAI chat-completions server on 127.0.0.1, for tests, benchmarks and demos.
///
/// Each `POST /v1/chat/completions` takes the next scripted `OpenAIAnswer`; with the script empty it answers the
/// default (an echo of the last user message, so that load tests need no script). Answers carry the real
/// envelopes and headers (`x-request-id`, rate-limit headers, `retry-after` on 429). A request with `stream: true`
/// gets its answer as server-sent events, paced and faulted as its `OpenAIStream` says (`OpenAIAnswer.streamed`;
/// a plain answer streams as fast as it can). Every request is recorded and checked against the
/// `CreateChatCompletionRequest` schema of `specs/openai-openapi.json`, and every chunk the double streams against
/// `CreateChatCompletionStreamResponse`; what the schema does not allow is kept in `violations` (a request is then
/// answered 400, as OpenAI would).
///
/// Point a client at `baseURL` (`OPENAI_BASE_URL`); any key is accepted unless one is given. Call `stop()`.
public final class OpenAIDouble: @unchecked Sendable {
    // Every mutable member below is guarded by `condition` (an NSCondition, also used to end delays at stop).
    let condition = NSCondition()
    private var script: [OpenAIAnswer] = []
    private var records: [OpenAIRequestRecord] = []
    private var requestCounter = 0
    private var violationList: [SpecViolation] = []
    private var stopped = false
    private var server: LoopbackHTTPServer?

    /// The only API key accepted (others get 401 `invalid_api_key`), or `nil` for any.
    public let apiKey: String?
    let specification: OpenAISpecification?
    private let defaultAnswer: @Sendable (JSONValue) -> OpenAIAnswer

    /// The recorder keeps at most this many requests (the oldest half goes when it is full).
    static let recordLimit = 200_000

    /// Starts the double on 127.0.0.1:`port` (0: an ephemeral port).
    ///
    /// - Parameters:
    ///   - apiKey: the only key accepted; `nil` accepts any (a missing `Authorization` is still refused).
    ///   - validate: checks every request against the committed specification (on by default).
    ///   - defaultAnswer: the answer when the script is empty, from the request body; an echo by default.
    /// - Throws: `DoubleError` when the port cannot be listened on or the specification cannot be read.
    public init(
        port: Int = 0, apiKey: String? = nil, validate: Bool = true,
        defaultAnswer: @escaping @Sendable (JSONValue) -> OpenAIAnswer = OpenAIDouble.echo
    ) throws(DoubleError) {
        self.apiKey = apiKey
        self.defaultAnswer = defaultAnswer
        self.specification = validate ? try OpenAISpecification.shared() : nil
        server = try LoopbackHTTPServer(port: port) { [weak self] request in
            self?.handle(request) ?? .dropConnection
        }
    }

    /// The port the double listens on.
    public var port: Int { server?.port ?? 0 }

    /// The value for `OPENAI_BASE_URL`: `http://127.0.0.1:<port>/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Stops the server; pending delays end at once. Idempotent.
    public func stop() {
        locked {
            stopped = true
            condition.broadcast()
        }
        server?.stop()
    }

    /// Appends answers to the script: each call takes the next one.
    public func enqueue(_ answers: OpenAIAnswer...) {
        locked { script += answers }
    }

    /// How many scripted answers are still waiting.
    public var scriptedCount: Int { locked { script.count } }

    /// Every request received, oldest first.
    public var requests: [OpenAIRequestRecord] { locked { records } }

    /// Every request that broke the specification, in order. Tests assert this is empty.
    public var violations: [SpecViolation] { locked { violationList } }

    /// Waits until at least `count` requests have arrived or `timeout` passes; returns them.
    public func waitForRequests(count: Int, timeout: Duration = .seconds(5)) async -> [OpenAIRequestRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = requests
            if found.count >= count || ContinuousClock.now >= deadline { return found }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// The default answer: `Echo: <the last user message>`.
    public static let echo: @Sendable (JSONValue) -> OpenAIAnswer = { body in
        let last = body["messages"]?.arrayValue?.last { $0["role"]?.stringValue == "user" }
        let text = last?["content"]?.stringValue ?? last?["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined() ?? ""
        return .text("Echo: \(text)")
    }

    /// Whether `stop()` was called; read under the lock.
    var isStopped: Bool { stopped }

    /// Adds problems of the double's own output; under the lock.
    func recordViolations(_ problems: [SpecViolation]) { violationList += problems }

    /// Records when the first token of request `sequence` was written.
    func noteFirstToken(of sequence: Int) {
        let now = Date()
        locked {
            if let index = records.lastIndex(where: { $0.sequence == sequence }) { records[index].firstTokenSentAt = now }
        }
    }

    /// Records how many tokens request `sequence` was sent in all.
    func noteTokens(_ count: Int, of sequence: Int) {
        locked {
            if let index = records.lastIndex(where: { $0.sequence == sequence }) { records[index].tokensSent = count }
        }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    // MARK: Handling

    private func handle(_ request: HTTPRequest) -> HTTPReply {
        if request.path.hasPrefix("/_double/") { return control(request) }
        guard request.method == "POST", request.path == "/v1/chat/completions" else {
            return Self.errorReply(
                404, type: "invalid_request_error", code: .null, message: "Invalid URL (\(request.method) \(request.path))")
        }
        let authorization = request.header("Authorization")
        guard let authorization, authorization.hasPrefix("Bearer "), authorization.count > 7 else {
            return Self.errorReply(
                401, type: "invalid_request_error", code: .null,
                message:
                    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            )
        }
        if let apiKey, authorization != "Bearer \(apiKey)" {
            return Self.errorReply(
                401, type: "invalid_request_error", code: "invalid_api_key",
                message:
                    "Incorrect API key provided: \(Self.masked(String(authorization.dropFirst(7)))). You can find your API key at https://platform.openai.com/account/api-keys."
            )
        }
        guard let body = try? JSONParser.parse(request.body), body.objectValue != nil else {
            let problem = SpecViolation(method: "createChatCompletion", path: "", problem: "the body is not a JSON object")
            locked { violationList.append(problem) }
            return Self.errorReply(
                400, type: "invalid_request_error", code: .null,
                message:
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)"
            )
        }
        let problems = specification?.check(body) ?? []
        let streaming = body["stream"] == .bool(true)
        let (sequence, answer) = locked {
            violationList += problems
            requestCounter += 1
            if records.count >= Self.recordLimit { records.removeFirst(Self.recordLimit / 2) }
            records.append(
                OpenAIRequestRecord(
                    sequence: requestCounter, body: body, authorization: authorization, receivedAt: Date(), status: nil))
            let answer: OpenAIAnswer? = problems.isEmpty && !script.isEmpty ? script.removeFirst() : nil
            return (requestCounter, answer)
        }
        let reply: HTTPReply
        if let problem = problems.first {
            reply = Self.errorReply(
                400, type: "invalid_request_error", code: "invalid_value", message: "Invalid value at \(problem.path): \(problem.problem)",
                param: .string(problem.path))
        } else {
            let context = RenderContext(request: body, requestBytes: request.body.count, streaming: streaming, sequence: sequence)
            reply = render(answer ?? defaultAnswer(body), context, style: OpenAIStream())
        }
        locked {
            if let index = records.lastIndex(where: { $0.sequence == sequence }) {
                records[index].status = reply.action == .respond ? reply.status : nil
            }
        }
        return reply
    }

    /// What an answer is rendered for.
    struct RenderContext {
        let request: JSONValue
        let requestBytes: Int
        /// Whether the request asked for `stream: true`.
        let streaming: Bool
        let sequence: Int
    }

    private func render(_ answer: OpenAIAnswer, _ context: RenderContext, style: OpenAIStream) -> HTTPReply {
        let request = context.request
        let requestBytes = context.requestBytes
        let streams = context.streaming && !style.ignoresStream
        switch answer {
        case .streamed(let inner, let style):
            return render(inner, context, style: style)
        case .text(let text, let usage, let finishReason) where streams:
            return streamedReply(
                text: text, calls: [], finishReason: finishReason, usage: usage, style: style, request: request, requestBytes: requestBytes,
                sequence: context.sequence)
        case .toolCalls(let calls, let text, let usage, let finishReason) where streams:
            return streamedReply(
                text: text, calls: calls, finishReason: finishReason, usage: usage, style: style, request: request,
                requestBytes: requestBytes, sequence: context.sequence)
        case .text(let text, let usage, let finishReason):
            return completion(
                message: ["role": "assistant", "content": .string(text), "refusal": nil, "annotations": []], finishReason: finishReason,
                usage: usage, request: request, requestBytes: requestBytes)
        case .toolCalls(let calls, let text, let usage, let finishReason):
            let toolCalls: [JSONValue] = calls.enumerated().map { index, call in
                var object: [String: JSONValue] = [
                    "type": "function", "function": ["name": .string(call.name), "arguments": call.arguments],
                ]
                if !call.omitsID { object["id"] = .string(call.id ?? "call_\(Self.randomHex(12))\(index)") }
                return .object(object)
            }
            return completion(
                message: [
                    "role": "assistant", "content": JSONValue(text), "refusal": nil, "annotations": [], "tool_calls": .array(toolCalls),
                ],
                finishReason: finishReason, usage: usage, request: request, requestBytes: requestBytes)
        case .error(let status, let type, let code, let message, let headers):
            return Self.errorReply(status, type: type, code: code, message: message, headers: headers)
        case .raw(let status, let headers, let body):
            return .text(
                status, body, contentType: "application/json", headers: headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        case .malformedBody:
            return .text(200, "{\"id\": \"chatcmpl-cut", contentType: "application/json")
        case .dropConnection:
            return .dropConnection
        case .delayed(let delay, let next):
            let deadline = Date().addingTimeInterval(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            let running = locked {
                while !stopped && Date() < deadline { _ = condition.wait(until: deadline) }
                return !stopped
            }
            return running ? render(next, context, style: style) : .dropConnection
        }
    }

    private func completion(message: JSONValue, finishReason: String, usage: OpenAIUsage, request: JSONValue, requestBytes: Int)
        -> HTTPReply
    {
        var body: [String: JSONValue] = [
            "id": .string("chatcmpl-\(Self.randomHex(24))"), "object": "chat.completion",
            "created": .int(Int64(Date().timeIntervalSince1970)),
            "model": request["model"] ?? "gpt-4o-mini",
            "choices": [["index": 0, "message": message, "logprobs": nil, "finish_reason": .string(finishReason)]],
            "service_tier": "default", "system_fingerprint": "fp_double",
        ]
        if let counts = Self.usageObject(usage, requestBytes: requestBytes, answerCharacters: message.serialized.count) {
            body["usage"] = counts
        }
        return .json(200, .object(body), headers: Self.standardHeaders())
    }

    static func errorReply(
        _ status: Int, type: String, code: JSONValue, message: String, param: JSONValue = .null, headers: [String: String] = [:]
    ) -> HTTPReply {
        let envelope: JSONValue = ["error": ["message": .string(message), "type": .string(type), "param": param, "code": code]]
        return .json(status, envelope, headers: standardHeaders() + headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    static func standardHeaders() -> [(name: String, value: String)] {
        [
            ("x-request-id", "req_\(randomHex(32))"), ("openai-processing-ms", "1"), ("openai-version", "2020-10-01"),
            ("x-ratelimit-limit-requests", "10000"), ("x-ratelimit-remaining-requests", "9999"),
            ("x-ratelimit-limit-tokens", "200000"), ("x-ratelimit-remaining-tokens", "199000"),
        ]
    }

    /// A key shown as OpenAI shows it in its 401 message: the first and last four characters.
    static func masked(_ key: String) -> String {
        guard key.count > 8 else { return "****" }
        return String(key.prefix(4)) + String(repeating: "*", count: key.count - 8) + String(key.suffix(4))
    }

    /// `count` random hex digits (at most 32).
    static func randomHex(_ count: Int) -> String {
        let digits = String(UInt64.random(in: 0...UInt64.max), radix: 16) + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return String(String(repeating: "0", count: max(0, count - digits.count)) + digits.prefix(count))
    }
}
