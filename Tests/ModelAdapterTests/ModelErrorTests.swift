import Events
import Foundation
import ModelAdapter
import TestSupport
import Testing

/// Every error the double can script, met by the adapter: classified as the retry policy needs, with the retry
/// hints read, and the key nowhere in any rendering.
@Suite(.timeLimit(.minutes(1))) struct ModelErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let answer: OpenAIAnswer
        let code: ModelError.Code
        let kind: ModelError.Kind
        var retryAfter: Duration?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "429 rate limit", answer: .rateLimited(retryAfter: 7), code: .rateLimited, kind: .retryable, retryAfter: .seconds(7)),
        Case(name: "429 insufficient_quota", answer: .insufficientQuota, code: .quotaExceeded, kind: .quota),
        Case(name: "400 context_length_exceeded", answer: .contextLengthExceeded, code: .contextLengthExceeded, kind: .contextLength),
        Case(name: "401 invalid_api_key", answer: .invalidAPIKey, code: .authentication, kind: .authentication),
        Case(
            name: "403",
            answer: .error(
                status: 403, type: "invalid_request_error", code: "unsupported_country_region_territory", message: "Country not supported"),
            code: .authentication, kind: .authentication),
        Case(
            name: "400",
            answer: .error(status: 400, type: "invalid_request_error", code: nil, message: "Invalid schema for function 'read'"),
            code: .badRequest, kind: .badRequest),
        Case(
            name: "404 model_not_found",
            answer: .error(
                status: 404, type: "invalid_request_error", code: "model_not_found", message: "The model `gpt-9` does not exist"),
            code: .badRequest, kind: .badRequest),
        Case(
            name: "408", answer: .error(status: 408, type: "timeout", code: nil, message: "Request timed out."), code: .requestTimeout,
            kind: .retryable),
        Case(name: "409", answer: .error(status: 409, type: "conflict", code: nil, message: "Conflict"), code: .conflict, kind: .retryable),
        Case(name: "500", answer: .serverError, code: .serverError, kind: .retryable),
        Case(name: "503 overloaded", answer: .overloaded, code: .serverError, kind: .retryable),
        Case(
            name: "502 HTML", answer: .raw(status: 502, headers: ["content-type": "text/html"], body: "<html>Bad Gateway</html>"),
            code: .serverError, kind: .retryable),
        Case(
            name: "200 with an integer 429 code",
            answer: .error(status: 200, type: "error", code: 429, message: "Rate limit exceeded", headers: ["retry-after-ms": "1500"]),
            code: .rateLimited, kind: .retryable, retryAfter: .milliseconds(1500)),
        Case(
            name: "200 with an integer 500 code", answer: .raw(status: 200, body: #"{"error":{"code":500,"message":"upstream failed"}}"#),
            code: .serverError, kind: .retryable),
        Case(
            name: "200 with a string error", answer: .raw(status: 200, body: #"{"error":"model is loading"}"#), code: .serverError,
            kind: .retryable),
        Case(
            name: "200 insufficient_quota",
            answer: .error(status: 200, type: "insufficient_quota", code: "insufficient_quota", message: "quota"), code: .quotaExceeded,
            kind: .quota),
        Case(
            name: "200 context_length_exceeded",
            answer: .error(status: 200, type: "invalid_request_error", code: "context_length_exceeded", message: "too long"),
            code: .contextLengthExceeded, kind: .contextLength),
        Case(
            name: "400 context length by message",
            answer: .error(
                status: 400, type: "invalid_request_error", code: nil, message: "This model's maximum context length is 8192 tokens."),
            code: .contextLengthExceeded, kind: .contextLength),
        Case(
            name: "429 with an HTTP date in the past",
            answer: .error(
                status: 429, type: "requests", code: "rate_limit_exceeded", message: "slow down",
                headers: ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"]),
            code: .rateLimited, kind: .retryable, retryAfter: .zero),
        Case(
            name: "429 with x-ratelimit-reset",
            answer: .error(
                status: 429, type: "tokens", code: "rate_limit_exceeded", message: "slow down",
                headers: ["x-ratelimit-reset-tokens": "6m0s", "x-ratelimit-reset-requests": "1m30s"]),
            code: .rateLimited, kind: .retryable, retryAfter: .seconds(90)),
        Case(
            name: "500 with x-ratelimit-reset (no wait: the backoff applies)",
            answer: .error(
                status: 500, type: "server_error", code: nil, message: "The server had an error",
                headers: ["x-ratelimit-reset-requests": "60s", "x-ratelimit-reset-tokens": "1m0s"]),
            code: .serverError, kind: .retryable, retryAfter: nil),
        Case(
            name: "503 with Retry-After",
            answer: .error(status: 503, type: "server_error", code: nil, message: "overloaded", headers: ["retry-after": "4"]),
            code: .serverError, kind: .retryable, retryAfter: .seconds(4)),
        Case(
            name: "200 with a rate-limit code and x-ratelimit-reset",
            answer: .error(
                status: 200, type: "requests", code: "rate_limit_exceeded", message: "slow down",
                headers: ["x-ratelimit-reset-requests": "5s"]),
            code: .rateLimited, kind: .retryable, retryAfter: .seconds(5)),
        Case(name: "malformed body", answer: .malformedBody, code: .malformedResponse, kind: .other),
        Case(
            name: "200 without choices", answer: .raw(status: 200, body: #"{"id":"x","object":"chat.completion"}"#),
            code: .malformedResponse, kind: .other),
        Case(name: "dropped connection", answer: .dropConnection, code: .connection, kind: .retryable),
        Case(name: "slow answer", answer: .delayed(.seconds(3), .text("late")), code: .timeout, kind: .retryable),
    ]

    @Test(arguments: cases)
    func errorIsClassified(_ testCase: Case) async throws {
        let harness = try OpenAIHarness(requestTimeout: .milliseconds(500))
        defer { harness.double.stop() }
        harness.double.enqueue(testCase.answer)
        // A drop is met on a new connection: on a reused one libcurl's retry hangs (see aDropOnAReusedConnection...).
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(
            await harness.error { () async throws(ModelError) in
                try await harness.freshClient().complete(OpenAIHarness.request([.user("hi")]))
            })
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.kind == testCase.kind)
        #expect(error.isRetryable == (testCase.kind == .retryable))
        if let expected = testCase.retryAfter, let actual = error.retryAfter {
            #expect(abs((actual - expected) / .seconds(1)) < 2, "retry after \(actual), expected \(expected)")
        } else {
            #expect(error.retryAfter == testCase.retryAfter)
        }
        #expect(clock.now - start < .seconds(2))
        #expect(SecretLeakCheck.leaks(of: OpenAIHarness.apiKey, in: error).isEmpty)
        #expect(SecretLeakCheck.leaks(of: "SECRETKEY", in: error).isEmpty)
        #expect(harness.double.violations.isEmpty)
        // The script is used up: the next call gets the default answer.
        #expect(try await harness.client.complete(OpenAIHarness.request([.user("again")])).text == "Echo: again")
    }

    @Test func retryAfterAsAnHTTPDate() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(
            .error(
                status: 429, type: "requests", code: "rate_limit_exceeded", message: "slow down",
                headers: ["retry-after": Self.httpDate(secondsFromNow: 30)]))
        let error = try #require(
            await harness.error { () async throws(ModelError) in try await harness.client.complete(OpenAIHarness.request([.user("x")])) })
        let wait = try #require(error.retryAfter)
        #expect(wait > .seconds(27) && wait <= .seconds(30), "\(wait)")
    }

    @Test func errorsCarryTheProvidersFields() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.rateLimited(retryAfter: 2))
        let error = try #require(
            await harness.error { () async throws(ModelError) in try await harness.client.complete(OpenAIHarness.request([.user("x")])) })
        #expect(error.status == 429)
        #expect(error.providerCode == "rate_limit_exceeded")
        #expect(error.providerType == "requests")
        #expect(error.requestID?.hasPrefix("req_") == true)
        #expect(error.message.contains("Rate limit reached"))
        #expect(error.message.contains("127.0.0.1"))
        #expect(!error.message.contains("/v1"))
    }

    @Test func aWrongKeyIsRefusedAndTheKeyIsNotEchoed() async throws {
        let harness = try OpenAIHarness(serverKey: "sk-the-right-one-000000000000")
        defer { harness.double.stop() }
        let error = try #require(
            await harness.error { () async throws(ModelError) in try await harness.client.complete(OpenAIHarness.request([.user("x")])) })
        #expect(error.code == .authentication)
        #expect(error.providerCode == "invalid_api_key")
        #expect(SecretLeakCheck.leaks(of: OpenAIHarness.apiKey, in: error).isEmpty)
    }

    @Test func anUnreachableServerIsAConnectionError() async throws {
        let harness = try OpenAIHarness()
        harness.double.stop()
        let error = try #require(
            await harness.error { () async throws(ModelError) in try await harness.client.complete(OpenAIHarness.request([.user("x")])) })
        #expect(error.code == .connection)
        #expect(error.isRetryable)
        #expect(error.transportCode != nil)
        #expect(SecretLeakCheck.leaks(of: OpenAIHarness.apiKey, in: error).isEmpty)
    }

    /// libcurl sends a request once more, on a new connection, when a reused connection closes without a byte of
    /// answer; a second drop is a retryable connection error, within the deadline.
    @Test func aDropOnAReusedConnectionIsSentOnceMore() async throws {
        let harness = try OpenAIHarness(requestTimeout: .milliseconds(500))
        defer { harness.double.stop() }
        _ = try await harness.client.complete(OpenAIHarness.request([.user("warm up")]))
        harness.double.enqueue(.dropConnection)
        #expect(try await harness.client.complete(OpenAIHarness.request([.user("again")])).text == "Echo: again")
        #expect(harness.double.requests.count == 3)
        harness.double.enqueue(.dropConnection, .dropConnection)
        let clock = ContinuousClock()
        let start = clock.now
        let error = try #require(
            await harness.error { () async throws(ModelError) in try await harness.client.complete(OpenAIHarness.request([.user("x")])) })
        #expect(error.code == .connection)
        #expect(error.isRetryable)
        #expect(clock.now - start < .milliseconds(1500))
    }

    static func httpDate(secondsFromNow seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date().addingTimeInterval(seconds))
    }
}
