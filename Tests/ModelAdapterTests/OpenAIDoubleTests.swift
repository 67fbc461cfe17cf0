import Events
import Foundation
import ModelAdapter
import TestSupport
import Testing

/// The OpenAI double itself: the requests it refuses and records as breaking `CreateChatCompletionRequest`,
/// authentication, and its control endpoints. These prove that `violations.isEmpty` in the other tests means
/// something.
@Suite(.timeLimit(.minutes(1))) struct OpenAIDoubleTests {
    struct Bad: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let path: String
        var testDescription: String { name }
    }

    static let bad: [Bad] = [
        Bad(name: "no model", body: #"{"messages":[{"role":"user","content":"x"}]}"#, path: "model"),
        Bad(name: "no messages", body: #"{"model":"m","messages":[]}"#, path: "messages"),
        Bad(name: "unknown role", body: #"{"model":"m","messages":[{"role":"robot","content":"x"}]}"#, path: "messages[0]"),
        Bad(
            name: "tool message without its call id", body: #"{"model":"m","messages":[{"role":"tool","content":"x"}]}"#,
            path: "messages[0]"),
        Bad(
            name: "tool call arguments as an object",
            body:
                #"{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"ls","arguments":{}}}]}]}"#,
            path: "messages[0]"),
        Bad(
            name: "temperature above 2", body: #"{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3}"#,
            path: "temperature"),
        Bad(
            name: "max tokens as text", body: #"{"model":"m","messages":[{"role":"user","content":"x"}],"max_completion_tokens":"10"}"#,
            path: "max_completion_tokens"),
        Bad(
            name: "tool without type",
            body: #"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"function":{"name":"ls","parameters":{}}}]}"#,
            path: "tools[0]"),
        Bad(
            name: "tool name with a space",
            body:
                #"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"list files"}}]}"#,
            path: "tools[0].function.name"),
        Bad(
            name: "unknown tool choice", body: #"{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"always"}"#,
            path: "tool_choice"),
    ]

    @Test(arguments: bad)
    func aRequestOutsideTheSchemaIsAViolation(_ bad: Bad) throws {
        let double = try OpenAIDouble()
        defer { double.stop() }
        let response = try RawHTTPClient(port: double.port).send(
            "POST", "/v1/chat/completions", json: bad.body, headers: ["Authorization": "Bearer k"])
        #expect(response.status == 400)
        let error = try JSONValue(parsing: response.text)["error"]
        #expect(error?["type"] == "invalid_request_error")
        #expect(double.violations.contains { $0.path.hasPrefix(bad.path) }, "\(double.violations)")
    }

    @Test func aBodyThatIsNotJSONIsAViolation() throws {
        let double = try OpenAIDouble()
        defer { double.stop() }
        let response = try RawHTTPClient(port: double.port).send(
            "POST", "/v1/chat/completions", json: "{model:", headers: ["Authorization": "Bearer k"])
        #expect(response.status == 400)
        #expect(double.violations.count == 1)
    }

    @Test func aValidRequestIsNoViolation() throws {
        let double = try OpenAIDouble()
        defer { double.stop() }
        let body = #"""
            {"model":"gpt-4o-mini","messages":[{"role":"developer","content":"d"},{"role":"user","content":[{"type":"text","text":"x"}]},
             {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"ls","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"c","content":"out"}],
             "tools":[{"type":"function","function":{"name":"ls","description":"d","parameters":{"type":"object"},"strict":null}}],
             "tool_choice":{"type":"function","function":{"name":"ls"}},"max_completion_tokens":5,"temperature":0,"stream":false,"seed":1}
            """#
        let response = try RawHTTPClient(port: double.port).send(
            "POST", "/v1/chat/completions", json: body, headers: ["Authorization": "Bearer k"])
        #expect(response.status == 200)
        #expect(double.violations.isEmpty, "\(double.violations)")
        #expect(response.headers["x-request-id"]?.hasPrefix("req_") == true)
    }

    @Test func aStreamedRequestGetsServerSentEventsThatMatchTheSchema() throws {
        let double = try OpenAIDouble()
        defer { double.stop() }
        double.enqueue(
            .text("Hello streamed world"),
            .toolCalls([OpenAIToolCall(id: "call_1", name: "ls", arguments: #"{"path":"."}"#)]))
        let client = RawHTTPClient(port: double.port)
        let body = #"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}"#
        let response = try client.send("POST", "/v1/chat/completions", json: body, headers: ["Authorization": "Bearer k"])
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        #expect(response.headers["transfer-encoding"] == "chunked")
        var parser = ServerSentEventParser()
        var events: [String] = []
        parser.feed(response.body) { events.append($0.data) }
        #expect(events.last == "[DONE]")
        let chunks = events.dropLast().compactMap { try? JSONValue(parsing: $0) }
        #expect(chunks.count == events.count - 1)
        #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" && $0["usage"] != nil })
        let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
        #expect(text == "Hello streamed world")
        #expect(chunks.last?["choices"] == [] && chunks.last?["usage"]?["total_tokens"] != nil, "the usage chunk comes last")
        // The same connection carries the next streamed answer: tool calls.
        let tools = try client.send("POST", "/v1/chat/completions", json: body, headers: ["Authorization": "Bearer k"])
        #expect(tools.text.contains(#""tool_calls":[{"#))
        #expect(tools.text.contains(#""finish_reason":"tool_calls""#))
        #expect(double.violations.isEmpty, "\(double.violations)")
        #expect(double.requests.allSatisfy { $0.asksForStream })
    }

    @Test func withoutAKeyTheRequestIsRefused() throws {
        let double = try OpenAIDouble()
        defer { double.stop() }
        let client = RawHTTPClient(port: double.port)
        let response = try client.send("POST", "/v1/chat/completions", json: #"{"model":"m","messages":[{"role":"user","content":"x"}]}"#)
        #expect(response.status == 401)
        #expect(try client.send("GET", "/v1/nothing", contentType: nil).status == 404)
    }

    @Test func controlEndpointsScriptTheDoubleFromAnotherProcess() throws {
        let double = try OpenAIDouble()
        defer { double.stop() }
        let client = RawHTTPClient(port: double.port)
        let scripted = try client.send(
            "POST", "/_double/answers",
            json:
                #"[{"text":"scripted","usage":"omitted"},{"tool_calls":[{"name":"ls","arguments":{"path":"."}}]},{"error":"rate_limited","retry_after":3}]"#
        )
        #expect(try JSONValue(parsing: scripted.text)["scripted"] == 3)
        #expect(try client.send("POST", "/_double/answers", json: #"{"error":"gremlins"}"#).status == 400)
        let request = #"{"model":"m","messages":[{"role":"user","content":"x"}]}"#
        let auth = ["Authorization": "Bearer k"]
        let text = try JSONValue(parsing: client.send("POST", "/v1/chat/completions", json: request, headers: auth).text)
        #expect(text["choices"]?.arrayValue?.first?["message"]?["content"] == "scripted")
        #expect(text["usage"] == nil)
        let tools = try JSONValue(parsing: client.send("POST", "/v1/chat/completions", json: request, headers: auth).text)
        let call = tools["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?.first
        #expect(call?["function"]?["arguments"] == #"{"path":"."}"#)
        #expect(call?["id"]?.stringValue?.hasPrefix("call_") == true)
        let limited = try client.send("POST", "/v1/chat/completions", json: request, headers: auth)
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] == "3")
        let echo = try JSONValue(parsing: client.send("POST", "/v1/chat/completions", json: request, headers: auth).text)
        #expect(echo["choices"]?.arrayValue?.first?["message"]?["content"] == "Echo: x")
        let recorded = try JSONValue(parsing: client.send("GET", "/_double/requests", contentType: nil).text)
        #expect(recorded.arrayValue?.compactMap { $0["status"]?.int64Value } == [200, 200, 429, 200])
        #expect(try JSONValue(parsing: client.send("GET", "/_double/violations", contentType: nil).text) == [])
    }
}
