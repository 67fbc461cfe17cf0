import Control
import Events
import Foundation
import ModelAdapter
import Synchronization
import TestSupport
import Testing

/// A model client that plays a script of answers and errors, one per call; a `.hang` step waits until its task is
/// cancelled and then fails as a cancelled call does.
final class ScriptedModel: ModelClient {
    enum Step: Sendable {
        case result(Result<CompletionResponse, ModelError>)
        case hang
    }

    private let script: Mutex<[Step]>
    private let callCount = Mutex(0)

    init(_ script: [Result<CompletionResponse, ModelError>]) {
        self.script = Mutex(script.map(Step.result))
    }

    init(steps: [Step]) {
        self.script = Mutex(steps)
    }

    var calls: Int { callCount.withLock { $0 } }

    func complete(_ request: CompletionRequest) async throws(ModelError) -> CompletionResponse {
        callCount.withLock { $0 += 1 }
        let next = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch next {
        case .result(.success(let response)): return response
        case .result(.failure(let error)): throw error
        case .hang:
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            throw ModelError(.cancelled, "model call was cancelled")
        case nil: throw ModelError(.badRequest, "the script is exhausted")
        }
    }

    static let answer = CompletionResponse(
        text: "ok", toolCalls: [], finishReason: .stop, inputTokens: 1, outputTokens: 1, cachedTokens: nil, model: "m", latency: .zero)
}

/// A clock whose sleeps return at once and are recorded.
final class RecordingClock: Clock, Sendable {
    typealias Instant = ContinuousClock.Instant
    private let slept = Mutex<[Duration]>([])
    var now: Instant { .now }
    var minimumResolution: Duration { .zero }
    var sleeps: [Duration] { slept.withLock { $0 } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        slept.withLock { $0.append(deadline - .now) }
    }
}

@Suite("Retries and the circuit breaker", .timeLimit(.minutes(1)))
struct RetryAndCircuitTests {
    let folder = TemporaryDirectory()

    func span() throws -> Span {
        let store = EventStore(database: try Database(path: folder.file("agent.db")), identity: EventIdentity(source: .worker))
        return try store.startSpan("turn", parent: nil)
    }

    func kinds(_ span: Span) throws -> [String] {
        try EventReader(database: span.store.database).children(of: span.id).map(\.kind)
    }

    @Test("retryable errors are retried up to 3 times, then the last error is thrown and retry.exhausted recorded")
    func retriesThenGivesUp() async throws {
        let failure = ModelError(.serverError, "HTTP 500", status: 500)
        let model = ScriptedModel(Array(repeating: .failure(failure), count: 5))
        let clock = RecordingClock()
        let caller = ModelCaller(client: model, breaker: CircuitBreaker(threshold: 100), clock: clock)
        let turn = try span()
        await #expect(throws: ModelError.self) { try await caller.complete(CompletionRequest(model: "m", messages: []), parent: turn) }
        #expect(model.calls == 4)
        #expect(clock.sleeps.count == 3)
        #expect(clock.sleeps.allSatisfy { $0 <= .seconds(8) })
        #expect(try kinds(turn) == ["retry.scheduled", "retry.scheduled", "retry.scheduled", "retry.exhausted"])
    }

    @Test("Retry-After is honoured, up to 60 s")
    func retryAfter() async throws {
        let model = ScriptedModel([
            .failure(ModelError(.rateLimited, "429", status: 429, retryAfter: .seconds(7))),
            .failure(ModelError(.rateLimited, "429", status: 429, retryAfter: .seconds(600))),
            .success(ScriptedModel.answer),
        ])
        let clock = RecordingClock()
        let caller = ModelCaller(client: model, breaker: CircuitBreaker(threshold: 100), clock: clock)
        _ = try await caller.complete(CompletionRequest(model: "m", messages: []), parent: try span())
        #expect(clock.sleeps.count == 2)
        #expect(abs((clock.sleeps[0] - .seconds(7)) / .seconds(1)) < 0.1)
        #expect(abs((clock.sleeps[1] - .seconds(60)) / .seconds(1)) < 0.1)
    }

    @Test(
        "never retried: quota, authentication, bad request, context length",
        arguments: [ModelError.Code.quotaExceeded, .authentication, .badRequest, .contextLengthExceeded])
    func notRetried(code: ModelError.Code) async throws {
        let model = ScriptedModel([.failure(ModelError(code, "refused")), .success(ScriptedModel.answer)])
        let caller = ModelCaller(client: model, breaker: CircuitBreaker(threshold: 100), clock: RecordingClock())
        await #expect(throws: ModelError.self) {
            try await caller.complete(CompletionRequest(model: "m", messages: []), parent: try span())
        }
        #expect(model.calls == 1)
    }

    @Test("the breaker opens after 3 identical failures, refuses calls, then lets one trial through")
    func breaker() throws {
        let breaker = CircuitBreaker(threshold: 3, openDuration: .seconds(60))
        let start = ContinuousClock.now
        #expect(breaker.recordFailure(signature: "a", at: start) == nil)
        #expect(breaker.recordFailure(signature: "b", at: start) == nil)
        #expect(breaker.recordFailure(signature: "b", at: start) == nil)
        #expect(breaker.recordFailure(signature: "b", at: start) == .opened)
        #expect(breaker.allowCall(at: start + .seconds(30)).allowed == false)
        let trial = breaker.allowCall(at: start + .seconds(61))
        #expect(trial.allowed && trial.transition == .halfOpened)
        #expect(breaker.allowCall(at: start + .seconds(61)).allowed == false, "one trial at a time")
        #expect(breaker.recordFailure(signature: "b", at: start + .seconds(62)) == .opened)
        #expect(breaker.allowCall(at: start + .seconds(123)).allowed)
        #expect(breaker.recordSuccess() == .closed)
        #expect(breaker.state == .closed)
    }

    @Test("an open breaker refuses the call without calling the model")
    func openBreakerRefuses() async throws {
        let failure = ModelError(.serverError, "HTTP 503", status: 503)
        let model = ScriptedModel(Array(repeating: .failure(failure), count: 10))
        let caller = ModelCaller(
            client: model, policy: RetryPolicy(maxRetries: 0), breaker: CircuitBreaker(threshold: 3), clock: RecordingClock())
        let turn = try span()
        for _ in 0..<3 {
            await #expect(throws: ModelError.self) { try await caller.complete(CompletionRequest(model: "m", messages: []), parent: turn) }
        }
        let refusal = await #expect(throws: ControlError.self) {
            try await caller.complete(CompletionRequest(model: "m", messages: []), parent: turn)
        }
        #expect(refusal?.code == .circuitOpen)
        #expect(model.calls == 3)
        #expect(try kinds(turn).contains("circuit.opened"))
    }

    @Test("a cancelled half-open trial ends the trial: the next call is let through")
    func cancelledTrial() async throws {
        let failure = ModelError(.serverError, "HTTP 503", status: 503)
        let model = ScriptedModel(steps: [.result(.failure(failure)), .hang, .result(.success(ScriptedModel.answer))])
        let breaker = CircuitBreaker(threshold: 1, openDuration: .milliseconds(20))
        let caller = ModelCaller(client: model, policy: RetryPolicy(maxRetries: 0), breaker: breaker, clock: RecordingClock())
        let turn = try span()
        let request = CompletionRequest(model: "m", messages: [])
        await #expect(throws: ModelError.self) { try await caller.complete(request, parent: turn) }
        try await Task.sleep(for: .milliseconds(40))
        let trial = Task { try await caller.complete(request, parent: turn) }
        let deadline = ContinuousClock.now + .seconds(5)
        while model.calls < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(model.calls == 2, "the trial call reached the model")
        trial.cancel()
        await #expect(throws: ModelError.self) { try await trial.value }
        #expect(breaker.state == .halfOpen)
        let answer = try await caller.complete(request, parent: turn)
        #expect(answer.text == "ok")
        #expect(model.calls == 3)
        #expect(breaker.state == .closed)
        #expect(try kinds(turn).filter { $0.hasPrefix("circuit.") } == ["circuit.opened", "circuit.half_open", "circuit.closed"])
    }

    @Test(
        "errors of the request, not of the service, never open the breaker",
        arguments: [ModelError.Code.contextLengthExceeded, .badRequest, .quotaExceeded, .authentication, .malformedResponse, .cancelled])
    func clientErrorsDoNotCount(code: ModelError.Code) async throws {
        let failure = ModelError(code, "refused", status: 400, providerCode: "context_length_exceeded")
        let model = ScriptedModel(Array(repeating: .failure(failure), count: 5) + [.success(ScriptedModel.answer)])
        let breaker = CircuitBreaker(threshold: 3)
        let caller = ModelCaller(client: model, breaker: breaker, clock: RecordingClock())
        let turn = try span()
        for _ in 0..<5 {
            await #expect(throws: ModelError.self) { try await caller.complete(CompletionRequest(model: "m", messages: []), parent: turn) }
        }
        #expect(breaker.state == .closed)
        #expect(try await caller.complete(CompletionRequest(model: "m", messages: []), parent: turn).text == "ok")
        #expect(model.calls == 6)
        #expect(try !kinds(turn).contains("circuit.opened"))
    }

    @Test("a trial that fails in a way that does not count is abandoned: the next call is the trial")
    func uncountedTrialFailure() async throws {
        let model = ScriptedModel([
            .failure(ModelError(.serverError, "HTTP 500", status: 500)), .failure(ModelError(.contextLengthExceeded, "too long")),
            .success(ScriptedModel.answer),
        ])
        let breaker = CircuitBreaker(threshold: 1, openDuration: .milliseconds(10))
        let caller = ModelCaller(client: model, policy: RetryPolicy(maxRetries: 0), breaker: breaker, clock: RecordingClock())
        let turn = try span()
        let request = CompletionRequest(model: "m", messages: [])
        await #expect(throws: ModelError.self) { try await caller.complete(request, parent: turn) }
        try await Task.sleep(for: .milliseconds(30))
        await #expect(throws: ModelError.self) { try await caller.complete(request, parent: turn) }
        #expect(breaker.state == .halfOpen)
        #expect(try await caller.complete(request, parent: turn).text == "ok")
        #expect(breaker.state == .closed)
    }

    @Test("a 500 with x-ratelimit-reset-requests: 60s is retried within the backoff cap, not after 60 s")
    func serverErrorIgnoresRateLimitReset() async throws {
        let double = try OpenAIDouble()
        defer { double.stop() }
        double.enqueue(
            .error(
                status: 500, type: "server_error", code: .null, message: "The server had an error",
                headers: ["x-ratelimit-reset-requests": "60s", "x-ratelimit-reset-tokens": "60s"]),
            .text("after the 500"))
        let client = OpenAIChatClient(configuration: OpenAIConfiguration(apiKey: "sk-test", baseURL: URL(string: double.baseURL)!))
        let clock = RecordingClock()
        let policy = RetryPolicy()
        let caller = ModelCaller(client: client, policy: policy, breaker: CircuitBreaker(), clock: clock)
        let answer = try await caller.complete(CompletionRequest(model: "gpt-4o-mini", messages: [.user("hi")]), parent: try span())
        #expect(answer.text == "after the 500")
        #expect(clock.sleeps.count == 1)
        #expect(clock.sleeps.allSatisfy { $0 <= policy.base }, "the first retry waits at most the base backoff: \(clock.sleeps)")
    }

    @Test("a 429 waits its x-ratelimit-reset; a 503 waits its Retry-After")
    func rateLimitResetOn429() async throws {
        let double = try OpenAIDouble()
        defer { double.stop() }
        double.enqueue(
            .error(
                status: 429, type: "requests", code: "rate_limit_exceeded", message: "slow down",
                headers: ["x-ratelimit-reset-requests": "3s"]),
            .error(status: 503, type: "server_error", code: .null, message: "overloaded", headers: ["retry-after": "2"]),
            .text("after waiting"))
        let client = OpenAIChatClient(configuration: OpenAIConfiguration(apiKey: "sk-test", baseURL: URL(string: double.baseURL)!))
        let clock = RecordingClock()
        let caller = ModelCaller(client: client, breaker: CircuitBreaker(), clock: clock)
        let answer = try await caller.complete(CompletionRequest(model: "gpt-4o-mini", messages: [.user("hi")]), parent: try span())
        #expect(answer.text == "after waiting")
        #expect(clock.sleeps.count == 2)
        #expect(abs((clock.sleeps[0] - .seconds(3)) / .seconds(1)) < 0.1)
        #expect(abs((clock.sleeps[1] - .seconds(2)) / .seconds(1)) < 0.1)
    }

    @Test("prices: the longest matching model name, cached input cheaper, unknown model or usage is nil")
    func prices() {
        let table = PriceTable()
        #expect(table.price(of: "gpt-4o-mini-2024-07-18") == PriceTable.published["gpt-4o-mini"])
        #expect(table.cost(model: "gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 0, cachedTokens: nil) == 0.15)
        #expect(table.cost(model: "gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 0, cachedTokens: 1_000_000) == 0.075)
        #expect(table.cost(model: "gpt-4o-mini", inputTokens: 163, outputTokens: 0, cachedTokens: nil) == 0.000_024_45)
        #expect(table.cost(model: "mystery-model", inputTokens: 10, outputTokens: 10, cachedTokens: nil) == nil)
        #expect(table.cost(model: "gpt-4o", inputTokens: nil, outputTokens: 10, cachedTokens: nil) == nil)
    }
}
