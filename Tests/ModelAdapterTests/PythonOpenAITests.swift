import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// The official `openai` package (from `.venv`, made by `make venv`) completes a tool call round and meets a rate
/// limit against the double: proof that the double speaks the real API, with no request outside the schema.
@Suite(.enabled(if: Repository.runsPythonTests, "AGENT_SKIP_PYTHON_TESTS=1"), .timeLimit(.minutes(5)))
struct PythonOpenAITests {
    @Test func theOpenAIPackageCompletesAToolCall() async throws {
        let python = Repository.venvPython
        try #require(FileManager.default.isExecutableFile(atPath: python), "no \(python): run `make venv`")
        let double = try OpenAIDouble(apiKey: OpenAIHarness.apiKey)
        defer { double.stop() }
        double.enqueue(
            .toolCalls([OpenAIToolCall(id: "call_readme", name: "read", arguments: #"{"path":"README.md"}"#)]),
            .text("The README says hello.", usage: .exact(prompt: 200, completion: 6, cached: 128)),
            .rateLimited(retryAfter: 2))

        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: python, arguments: ["\(Repository.root)/scripts/proof/openai_client.py"],
                environment: TestEnvironment.make(["OPENAI_BASE_URL": double.baseURL, "OPENAI_API_KEY": OpenAIHarness.apiKey])),
            timeout: .seconds(60))
        #expect(result.status == .exited(0), "\(result.standardError)")
        let summary = try JSONValue(parsing: result.standardOutput)
        #expect(summary["finish_reason"] == "tool_calls")
        #expect(summary["tool"] == "read")
        #expect(summary["tool_call_id"] == "call_readme")
        #expect(summary["arguments"] == ["path": "README.md"])
        #expect(summary["answer"] == "The README says hello.")
        #expect(summary["prompt_tokens"] == 200)
        #expect(summary["cached_tokens"] == 128)
        #expect(summary["rate_limit"] == ["status": 429, "code": "rate_limit_exceeded", "retry_after": "2"])

        let requests = double.requests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.authorization == "Bearer \(OpenAIHarness.apiKey)" })
        #expect(requests[1].messages.map { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool"])
        #expect(double.violations.isEmpty, "\(double.violations)")
    }

    @Test func theOpenAIPackageReadsTheDoublesStreams() async throws {
        let python = Repository.venvPython
        try #require(FileManager.default.isExecutableFile(atPath: python), "no \(python): run `make venv`")
        let double = try OpenAIDouble(apiKey: OpenAIHarness.apiKey)
        defer { double.stop() }
        let grep = #"{"pattern":"TODO","path":"Sources/"}"#
        double.enqueue(
            .streamed(.text("one two three four", usage: .exact(prompt: 9, completion: 4, cached: 0)), OpenAIStream(tokensPerSecond: 200)),
            .streamed(
                .toolCalls([
                    OpenAIToolCall(id: "call_a", name: "grep", arguments: grep),
                    OpenAIToolCall(id: "call_b", name: "grep", arguments: "{}"),
                ]),
                OpenAIStream(argumentPieceSize: 2)))
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: python, arguments: ["\(Repository.root)/scripts/proof/openai_stream.py"],
                environment: TestEnvironment.make(["OPENAI_BASE_URL": double.baseURL, "OPENAI_API_KEY": OpenAIHarness.apiKey])),
            timeout: .seconds(60))
        #expect(result.status == .exited(0), "\(result.standardError)")
        let summary = try JSONValue(parsing: result.standardOutput)
        #expect(summary["text"] == "one two three four")
        #expect(summary["chunks"] == 4)
        #expect(summary["finish_reason"] == "stop")
        #expect(summary["usage"] == ["prompt": 9, "completion": 4])
        #expect(
            summary["calls"] == [
                ["id": "call_a", "name": "grep", "arguments": .string(grep)], ["id": "call_b", "name": "grep", "arguments": "{}"],
            ])
        #expect(summary["tool_finish_reason"] == "tool_calls")
        #expect(double.violations.isEmpty, "\(double.violations)")
    }
}
