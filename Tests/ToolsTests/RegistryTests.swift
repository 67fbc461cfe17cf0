import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

@testable import Tools

@Suite(.timeLimit(.minutes(1))) struct RegistryTests {
    @Test func everyBuiltinToolHasAStrictSchemaFromItsInputType() async throws {
        let fixture = try await ToolFixture()
        let tools = fixture.registry.tools
        #expect(tools.map(\.name) == ["ls", "find", "grep", "read", "write", "edit", "bash"])
        for tool in tools {
            let schema = tool.schema.json
            #expect(schema["type"] == "object")
            #expect(schema["additionalProperties"] == false, "\(tool.name)")
            let properties = try #require(schema["properties"]?.objectValue)
            #expect(Set(properties.keys) == Set(tool.schema.properties.map(\.name)))
            for (name, property) in properties {
                #expect(property["description"]?.stringValue?.isEmpty == false, "\(tool.name).\(name) has no description")
            }
        }
        let read = try #require(fixture.registry.tool(named: "read")).schema.json
        #expect(read["required"] == ["path"])
        #expect(read["properties"]?["offset"]?["type"] == "integer")
        #expect(read["properties"]?["offset"]?["minimum"] == 1)
        #expect(read["properties"]?["limit"]?["maximum"] == 2000)
        let grep = try #require(fixture.registry.tool(named: "grep")).schema.json
        #expect(grep["required"] == ["pattern"])
        #expect(grep["properties"]?["ignore_case"]?["type"] == "boolean")
        #expect(grep["properties"]?["limit"]?["default"] == 100)
        let bash = try #require(fixture.registry.tool(named: "bash")).schema.json
        #expect(bash["properties"]?["timeout_s"]?["default"] == 120)
        #expect(bash["properties"]?["timeout_s"]?["maximum"] == 600)
        let edit = try #require(fixture.registry.tool(named: "edit")).schema.json
        #expect(edit["required"] == ["path", "old_text", "new_text"])
    }

    @Test func theDefinitionIsAnOpenAIFunction() async throws {
        let fixture = try await ToolFixture()
        let ls = try #require(fixture.registry.definitions.first { $0.name == "ls" })
        let function = ls.openAIFunction
        #expect(function["type"] == "function")
        #expect(function["function"]?["name"] == "ls")
        #expect(function["function"]?["parameters"] == ls.parameters)
    }

    @Test(arguments: [
        (#"{"path": "a.txt", "file": "b"}"#, #"unknown argument "file""#),
        (#"{"path": 12}"#, #"argument "path" must be a string, not the number 12"#),
        (#"{"path": "a.txt", "offset": "10"}"#, #"argument "offset" must be an integer, not a string ("10")"#),
        (#"{"path": "a.txt", "offset": 1.5}"#, #"argument "offset" must be an integer"#),
        (#"{"path": "a.txt", "offset": 0}"#, #"argument "offset" must be at least 1, got 0"#),
        (#"{"path": "a.txt", "limit": 5000}"#, #"argument "limit" must be at most 2000, got 5000"#),
        (#"{"offset": 3}"#, #"missing required argument "path" (string)"#),
        (#"["a.txt"]"#, #"the arguments must be a JSON object, like {"path": "..."}"#),
        (#"{"path": "a.txt""#, "not valid JSON"),
    ])
    func invalidArgumentsAreRefusedWithTheSchemaError(arguments: String, message: String) async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "hello\n")
        let result = await fixture.call("read", arguments)
        #expect(result.refusal?.code == .invalidArguments)
        #expect(result.envelope.ok == false)
        #expect(result.envelope.exitCode == nil)
        #expect(result.envelope.error?.contains(message) == true, "\(result.envelope.error ?? "")")
    }

    @Test func theUnknownKeyMessageListsWhatTheToolAccepts() async throws {
        let fixture = try await ToolFixture()
        let result = await fixture.call("grep", #"{"pattern": "x", "regex": true}"#)
        #expect(
            result.envelope.error?.contains("grep accepts pattern (string, required), path (string), glob (string), ignore_case (boolean)")
                == true)
    }

    @Test func integralNumbersAndNullOptionalsAreAccepted() async throws {
        let fixture = try await ToolFixture()
        try fixture.write("a.txt", "one\ntwo\nthree\n")
        let result = await fixture.call("read", #"{"path": "a.txt", "offset": 2.0, "limit": null}"#)
        #expect(result.refusal == nil)
        #expect(result.envelope.stdout == "two\nthree\n")
    }

    @Test func unknownToolsAndEmptyArguments() async throws {
        let fixture = try await ToolFixture()
        let unknown = await fixture.call("rm", "{}")
        #expect(unknown.refusal?.code == .unknownTool)
        #expect(unknown.envelope.error?.contains("ls, find, grep, read, write, edit") == true)
        let empty = await fixture.call("ls", "")
        #expect(empty.refusal == nil)
        #expect(empty.envelope.ok)
    }

    @Test func theAllowlistAndTheTiersRefuseCalls() async throws {
        let fixture = try await ToolFixture(environment: ["AGENT_TOOLS": "read,ls", "AGENT_TOOL_TIERS": "read,exec"])
        #expect(fixture.registry.definitions.map(\.name) == ["ls", "read"])
        let grep = await fixture.call("grep", #"{"pattern": "x"}"#)
        #expect(grep.refusal?.code == .toolNotAllowed)
        let readOnly = try await ToolFixture(environment: ["AGENT_TOOL_TIERS": "read"])
        let write = await readOnly.call("write", #"{"path": "a", "content": "b"}"#)
        #expect(write.refusal?.code == .tierNotAllowed)
        #expect(!FileManager.default.fileExists(atPath: "\(readOnly.workspace)/a"))
        #expect(readOnly.registry.definitions.map(\.name) == ["ls", "find", "grep", "read"])
    }

    @Test func withoutASandboxTheExecTierIsOff() async throws {
        let fixture = try await ToolFixture()
        #expect(fixture.registry.sandbox.state == .execDisabled)
        #expect(!fixture.registry.definitions.map(\.name).contains("bash"))
        let result = await fixture.call("bash", #"{"command": "touch ran"}"#)
        #expect(result.refusal?.code == .execDisabled)
        #expect(result.envelope.error?.contains("AGENT_ALLOW_UNSANDBOXED_EXEC=1") == true)
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.workspace)/ran"))
    }

    @Test func theEnvelopePrintsExactlyTheSpecifiedKeysInOrder() throws {
        let envelope = ToolEnvelope(ok: true, exitCode: 0, stdout: "a\"b\n", durationMs: 3)
        #expect(
            envelope.json
                == #"{"ok":true,"exit_code":0,"stdout":"a\"b\n","stderr":"","truncated":false,"next_offset":null,"duration_ms":3,"error":null,"note":null}"#
        )
        let decoded = try JSONDecoder().decode(ToolEnvelope.self, from: Data(envelope.json.utf8))
        #expect(decoded == envelope)
        let encoded = try JSONValue(parsing: String(decoding: try JSONEncoder().encode(envelope), as: UTF8.self))
        #expect(
            encoded.objectValue?.keys.sorted() == [
                "duration_ms", "error", "exit_code", "next_offset", "note", "ok", "stderr", "stdout", "truncated",
            ])
        #expect(encoded["next_offset"] == .null)
    }

    @Test func aToolThatFailsStillRanAndTakesTime() async throws {
        let fixture = try await ToolFixture()
        let result = await fixture.call("read", #"{"path": "missing.txt"}"#)
        #expect(result.refusal == nil)
        #expect(result.envelope.ok == false)
        #expect(result.envelope.exitCode == 1)
        #expect(result.envelope.error?.contains("missing.txt") == true)
        #expect(result.envelope.durationMs >= 0)
    }
}
