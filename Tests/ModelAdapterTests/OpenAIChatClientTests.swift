import Events
import Foundation
import ModelAdapter
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1))) struct OpenAIChatClientTests {
    @Test func aTextAnswerWithUsage() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.text("Hello there.", usage: .exact(prompt: 120, completion: 4, cached: 64)))
        let response = try await harness.client.complete(OpenAIHarness.request([.system("Be brief."), .user("Hi")]))
        #expect(response.text == "Hello there.")
        #expect(response.toolCalls.isEmpty)
        #expect(response.finishReason == .stop)
        #expect(response.inputTokens == 120)
        #expect(response.outputTokens == 4)
        #expect(response.cachedTokens == 64)
        #expect(response.hasUsage)
        #expect(response.model == "gpt-4o-mini")
        #expect(response.id?.hasPrefix("chatcmpl-") == true)
        #expect(response.latency > .zero && response.latency < .seconds(2))
        let sent = try #require(harness.double.requests.first)
        #expect(sent.authorization == "Bearer \(OpenAIHarness.apiKey)")
        #expect(sent.body["max_completion_tokens"]?.int64Value == 1000)
        #expect(sent.messages.map { $0["role"]?.stringValue } == ["system", "user"])
        #expect(harness.double.violations.isEmpty)
    }

    @Test func anAnswerWithoutUsageHasUnknownCountsNotZero() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.text("ok", usage: .omitted))
        let response = try await harness.client.complete(OpenAIHarness.request([.user("Hi")]))
        #expect(response.inputTokens == nil)
        #expect(response.outputTokens == nil)
        #expect(response.cachedTokens == nil)
        #expect(!response.hasUsage)
        #expect(response.text == "ok")
    }

    @Test func theDefaultAnswerEchoesTheLastUserMessage() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        let response = try await harness.client.complete(OpenAIHarness.request([.user("first"), .assistant("x"), .user("second")]))
        #expect(response.text == "Echo: second")
        #expect(response.hasUsage)
        #expect(harness.double.violations.isEmpty)
    }

    @Test func aToolRoundTrip() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(
            .toolCalls([
                OpenAIToolCall(id: "call_a", name: "read", arguments: #"{"path":"README.md"}"#),
                OpenAIToolCall(id: "call_b", name: "ls", arguments: "{}"),
            ]),
            .text("The README says hello."))
        let question: [ChatMessage] = [.system("You can read files."), .user("What does the README say?")]
        let first = try await harness.client.complete(OpenAIHarness.request(question, tools: OpenAIHarness.tools))
        #expect(first.finishReason == .toolCalls)
        #expect(first.text == nil)
        #expect(first.toolCalls.map(\.id) == ["call_a", "call_b"])
        #expect(first.toolCalls.map(\.name) == ["read", "ls"])
        #expect(first.toolCalls.first?.parsedArguments == ["path": "README.md"])

        let followUp =
            question + [
                .assistant(first.text, toolCalls: first.toolCalls),
                .tool(callID: "call_a", content: "hello"),
                .tool(callID: "call_b", content: "README.md\nSources/"),
            ]
        let second = try await harness.client.complete(OpenAIHarness.request(followUp, tools: OpenAIHarness.tools))
        #expect(second.text == "The README says hello.")
        #expect(second.finishReason == .stop)

        let sent = harness.double.requests
        #expect(sent.count == 2)
        let tools = sent[0].body["tools"]?.arrayValue ?? []
        #expect(tools.map { $0["function"]?["name"]?.stringValue } == ["read", "ls"])
        #expect(tools.first?["function"]?["parameters"]?["required"] == ["path"])
        let replayed = sent[1].messages
        #expect(replayed.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool", "tool"])
        #expect(replayed[2]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]?.stringValue == #"{"path":"README.md"}"#)
        #expect(replayed[3]["tool_call_id"]?.stringValue == "call_a")
        #expect(harness.double.violations.isEmpty, "\(harness.double.violations)")
    }

    @Test func toolChoiceTemperatureAndParallelCalls() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        var request = OpenAIHarness.request([.user("list")], tools: OpenAIHarness.tools)
        request.toolChoice = .function("ls")
        request.temperature = 0.2
        request.parallelToolCalls = false
        _ = try await harness.client.complete(request)
        request.toolChoice = .required
        _ = try await harness.client.complete(request)
        request.tools = []
        request.toolChoice = .disabled
        _ = try await harness.client.complete(request)
        let bodies = harness.double.requests.map(\.body)
        #expect(bodies[0]["tool_choice"]?["function"]?["name"]?.stringValue == "ls")
        #expect(bodies[0]["temperature"]?.doubleValue == 0.2)
        #expect(bodies[0]["parallel_tool_calls"] == .bool(false))
        #expect(bodies[1]["tool_choice"]?.stringValue == "required")
        #expect(bodies[2]["tools"] == nil && bodies[2]["parallel_tool_calls"] == nil)
        #expect(harness.double.violations.isEmpty, "\(harness.double.violations)")
    }

    // MARK: Quirks of compatible servers

    @Test func stopWithToolCallsMeansToolCalls() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.toolCalls([OpenAIToolCall(id: "c1", name: "ls", arguments: "{}")], text: "", finishReason: "stop"))
        let response = try await harness.client.complete(OpenAIHarness.request([.user("ls")], tools: OpenAIHarness.tools))
        #expect(response.finishReason == .toolCalls)
        #expect(response.providerFinishReason == "stop")
        #expect(response.text == nil)
        #expect(response.toolCalls.count == 1)
    }

    @Test func toolCallsWithoutIDsGetStableUniqueIDs() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        let body =
            #"{"id":"gen-1","model":"local","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"type":"function","function":{"name":"ls","arguments":"{}"}},{"function":{"name":"ls","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#
        harness.double.enqueue(.raw(status: 200, body: body), .raw(status: 200, body: body))
        let request = OpenAIHarness.request([.user("ls twice")], tools: OpenAIHarness.tools)
        let first = try await harness.client.complete(request)
        let again = try await harness.client.complete(request)
        let ids = first.toolCalls.map(\.id)
        #expect(ids.count == 2)
        #expect(Set(ids).count == 2)
        #expect(ids.allSatisfy { $0.hasPrefix("call_") && $0.count > 5 })
        #expect(again.toolCalls.map(\.id) == ids)
        #expect(first.model == "local")
        #expect(first.inputTokens == nil)

        harness.double.enqueue(.toolCalls([.withoutID(name: "read", arguments: #"{"path":"a"}"#)]))
        let generated = try await harness.client.complete(request)
        #expect(generated.toolCalls.first?.id.hasPrefix("call_") == true)
    }

    @Test func argumentsGivenAsAnObjectBecomeText() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(
            .toolCalls([OpenAIToolCall(id: "c1", name: "read", argumentsObject: ["path": "Package.swift", "offset": 3])]))
        let response = try await harness.client.complete(OpenAIHarness.request([.user("read")], tools: OpenAIHarness.tools))
        let call = try #require(response.toolCalls.first)
        #expect(call.parsedArguments == ["offset": 3, "path": "Package.swift"])
        #expect(call.arguments == #"{"offset":3,"path":"Package.swift"}"#)
    }

    @Test func argumentsThatAreNotJSONAreKeptAsWritten() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.toolCalls([OpenAIToolCall(id: "c1", name: "read", arguments: #"{"path": "a"#)]))
        let response = try await harness.client.complete(OpenAIHarness.request([.user("read")], tools: OpenAIHarness.tools))
        #expect(response.toolCalls.first?.arguments == #"{"path": "a"#)
        #expect(response.toolCalls.first?.parsedArguments == nil)
    }

    @Test func contentGivenAsPartsIsJoined() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(
            .raw(
                status: 200,
                body:
                    #"{"id":"x","model":"m","choices":[{"message":{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}"#
            ))
        let response = try await harness.client.complete(OpenAIHarness.request([.user("x")]))
        #expect(response.text == "ab")
        #expect(response.finishReason == .length)
        #expect(response.inputTokens == 3 && response.outputTokens == 2 && response.cachedTokens == nil)
    }

    @Test func aCancelledCallEndsAtOnce() async throws {
        let harness = try OpenAIHarness()
        defer { harness.double.stop() }
        harness.double.enqueue(.delayed(.seconds(10), .text("late")))
        let clock = ContinuousClock()
        let start = clock.now
        let call = Task {
            await harness.error { () async throws(ModelError) in try await harness.client.complete(OpenAIHarness.request([.user("x")])) }
        }
        _ = await harness.double.waitForRequests(count: 1)
        call.cancel()
        let error = try #require(await call.value)
        #expect(error.code == .cancelled)
        #expect(!error.isRetryable)
        #expect(clock.now - start < .seconds(3))
    }

    @Test func theConfigurationNeverShowsTheKey() throws {
        let configuration = try OpenAIConfiguration.fromEnvironment([
            "OPENAI_API_KEY": OpenAIHarness.apiKey, "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        ])
        #expect(configuration.baseURL.absoluteString == "http://127.0.0.1:9/v1")
        #expect(SecretLeakCheck.leaks(of: OpenAIHarness.apiKey, in: configuration).isEmpty)
        #expect(SecretLeakCheck.leaks(of: OpenAIHarness.apiKey, in: OpenAIChatClient(configuration: configuration)).isEmpty)
        #expect(try OpenAIConfiguration.fromEnvironment(["OPENAI_API_KEY": "k"]).baseURL == OpenAIConfiguration.defaultBaseURL)
        for broken in [[:], ["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "not a url"], ["OPENAI_API_KEY": "with space"]] {
            #expect(throws: ModelError.self) { try OpenAIConfiguration.fromEnvironment(broken) }
        }
    }
}
