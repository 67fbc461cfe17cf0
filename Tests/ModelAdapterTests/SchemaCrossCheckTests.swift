import Events
import Foundation
import ModelAdapter
import ProcessControl
import TestSupport
import Testing

/// The OpenAI double's schema checker agrees with the reference `jsonschema` validator (from `.venv`) on valid
/// and invalid bodies, the adapter's own among them.
@Suite(.enabled(if: Repository.runsPythonTests, "AGENT_SKIP_PYTHON_TESTS=1"), .timeLimit(.minutes(5)))
struct SchemaCrossCheckTests {
    @Test func theCheckerAgreesWithJSONSchema() async throws {
        let python = Repository.venvPython
        try #require(FileManager.default.isExecutableFile(atPath: python), "no \(python): run `make venv`")
        let double = try OpenAIDouble()
        defer { double.stop() }
        let client = OpenAIChatClient(configuration: OpenAIConfiguration(apiKey: "k", baseURL: URL(string: double.baseURL)!))
        var request = OpenAIHarness.request(
            [
                .system("s"), .user("u"), .assistant(nil, toolCalls: [ToolCall(id: "c", name: "ls", arguments: "{}")]),
                .tool(callID: "c", content: "out"), .assistant("done"),
            ],
            tools: OpenAIHarness.tools)
        request.toolChoice = .function("ls")
        request.temperature = 0.7
        request.parallelToolCalls = true
        _ = try await client.complete(request)
        _ = try await client.complete(OpenAIHarness.request([.user("plain")]))

        // The description's limit on tool names is not in the schema itself: leave that case out.
        let bad = OpenAIDoubleTests.bad.filter { !$0.path.hasSuffix("function.name") }.map { try! JSONValue(parsing: $0.body) }
        let bodies = double.requests.map(\.body) + bad
        let specification = try OpenAISpecification.shared()

        let input = TemporaryDirectory()
        try JSONValue.array(bodies).serialized.write(toFile: input.file("bodies.json"), atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run(
            ProcessSpec(
                executable: "/bin/sh",
                arguments: [
                    "-c", "exec \"$0\" \"$1\" < \"$2\"", python, "\(Repository.root)/scripts/proof/validate_chat_requests.py",
                    input.file("bodies.json"),
                ],
                environment: TestEnvironment.make()),
            timeout: .seconds(60))
        #expect(result.status == .exited(0), "\(result.standardError)")
        let verdicts = try #require(try JSONValue(parsing: result.standardOutput).arrayValue)
        try #require(verdicts.count == bodies.count)
        for (body, verdict) in zip(bodies, verdicts) {
            let swiftValid = specification.check(body).isEmpty
            #expect(
                swiftValid == (verdict == .null),
                "jsonschema: \(verdict.serialized); double: \(specification.check(body)); body: \(body.serialized)")
        }
        #expect(verdicts.prefix(2).allSatisfy { $0 == .null })
        #expect(verdicts.dropFirst(2).allSatisfy { $0 != .null })
    }
}
