import Events
import Foundation
import ProcessControl
import TestSupport
import Testing

/// The agent loop end to end: the real worker, the scripted model double, real tools in a temporary workspace.
@Suite("Agent loop", .timeLimit(.minutes(3)))
struct AgentLoopTests {
    /// A worker started on `harness` that is killed at the end of the test.
    final class RunningWorker: Sendable {
        let process: ChildProcess
        init(_ harness: AgentHarness, _ environment: [String: String] = [:]) throws {
            process = try harness.startWorker(environment)
        }
        deinit { process.signal(SIGKILL) }
    }

    /// Sends `text` from the allowed user and waits for `count` replies in that chat.
    func ask(_ harness: AgentHarness, _ text: String, replies count: Int = 1, timeout: Duration = .seconds(30)) async -> [SentMessage] {
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: text)
        return await harness.telegram.waitForSentMessages(count: count, chatID: harness.userID, timeout: timeout)
    }

    func call(_ name: String, _ arguments: String, id: String? = nil) -> OpenAIToolCall {
        OpenAIToolCall(id: id, name: name, arguments: arguments)
    }

    @Test("three turns: two calls, then one, then the answer; the model sees each result with its id, the tree is exact")
    func threeTurns() async throws {
        let harness = try AgentHarness()
        try "alpha\nbeta TODO\n".write(toFile: harness.workspace + "/notes.txt", atomically: true, encoding: .utf8)
        harness.openAI.enqueue(
            .toolCalls(
                [call("ls", #"{"path": "."}"#, id: "call_ls"), call("read", #"{"path": "notes.txt"}"#, id: "call_read")],
                usage: .exact(prompt: 100, completion: 10, cached: 0)),
            .toolCalls([call("grep", #"{"pattern": "TODO"}"#, id: "call_grep")], usage: .exact(prompt: 200, completion: 20, cached: 0)),
            .text("Found one TODO in notes.txt.", usage: .exact(prompt: 300, completion: 30, cached: 0)))
        // The exact tree of the loop without drafts; a streamed turn adds its reply.drafted (StreamingRepliesTests).
        let worker = try RunningWorker(harness, ["AGENT_STREAM": "off"])
        let sent = await ask(harness, "where are the TODOs?")
        #expect(sent.first?.text == "Found one TODO in notes.txt.")
        _ = worker

        let requests = harness.openAI.requests
        try #require(requests.count == 3)
        #expect(requests[0].body["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue }.contains("grep") == true)
        let second = requests[1].messages
        let toolMessages = second.filter { $0["role"] == "tool" }
        #expect(toolMessages.map { $0["tool_call_id"]?.stringValue } == ["call_ls", "call_read"])
        #expect(toolMessages[0]["content"]?.stringValue?.contains("notes.txt") == true)
        #expect(toolMessages[1]["content"]?.stringValue?.contains("beta TODO") == true)
        let assistant = try #require(second.last { $0["role"] == "assistant" })
        #expect(assistant["tool_calls"]?.arrayValue?.map { $0["id"]?.stringValue } == ["call_ls", "call_read"])
        #expect(requests[2].messages.filter { $0["role"] == "tool" }.count == 3)

        let run = try #require(harness.events("agent.started").first)
        let inRun = harness.events("*").filter { $0.runID == run.id }
        func children(of parent: Event) -> [String] {
            inRun.filter { $0.parentID == parent.id && $0.kind != "reply.sent" }.map(\.kind)
        }
        #expect(children(of: run) == ["context.assembled", "turn.started", "turn.started", "turn.started", "agent.completed"])
        let turns = inRun.filter { $0.kind == "turn.started" }
        #expect(turns.map { $0.payloadObject?["n"] } == [1, 2, 3])
        #expect(
            children(of: turns[0]) == ["model.completed", "tool_call.started", "tool_call.started", "turn.completed"])
        #expect(children(of: turns[1]) == ["model.completed", "tool_call.started", "turn.completed"])
        #expect(children(of: turns[2]) == ["model.completed", "turn.completed"])
        let calls = inRun.filter { $0.kind == "tool_call.started" }
        #expect(calls.map { $0.payloadObject?["tool"] } == ["ls", "read", "grep"])
        #expect(calls.map { $0.payloadObject?["call_id"] } == ["call_ls", "call_read", "call_grep"])
        #expect(calls.allSatisfy { children(of: $0) == ["tool_call.completed"] })
        let completed = try #require(harness.events("agent.completed").first?.payloadObject)
        #expect(completed["turns"] == 3)
        #expect(completed["input_tokens"] == 600)
        #expect(completed["output_tokens"] == 60)
        #expect(completed["usage_complete"] == true)
        #expect(completed["cost_usd"]?.doubleValue ?? 0 > 0)
        #expect(inRun.first { $0.kind == "turn.completed" }?.payloadObject?["input_tokens"] == 100)

        // The next run's history holds the calls with their results.
        _ = await ask(harness, "thanks", replies: 2)
        let next = try #require(harness.openAI.requests.last).messages
        #expect(next.filter { $0["role"] == "tool" }.count == 3)
        #expect(
            next.map { $0["role"]?.stringValue ?? "" } == [
                "system", "user", "assistant", "tool", "tool", "assistant", "tool", "assistant", "user",
            ])

        // agent-log shows the calls with their arguments on one line each.
        let tree = try await ProcessRunner.run(
            ProcessSpec(
                executable: Executables.path("agent-log"), arguments: ["tree", "\(run.id)"],
                environment: harness.environment(["NO_COLOR": "1"])))
        let grepLine = try #require(
            tree.standardOutput.split(separator: "\n").first { $0.contains("tool_call.started") && $0.contains("grep") })
        #expect(grepLine.contains(#"grep {"pattern":"TODO"} (call_grep)"#))
        #expect(harness.openAI.violations.isEmpty, "\(harness.openAI.violations)")
    }

    @Test("a model that never stops calling tools makes exactly AGENT_MAX_STEPS calls; the last answer's tools do not run")
    func stepLimit() async throws {
        // A different call each time (the limit grows with the conversation), so that no repeat ends the run first.
        let harness = try AgentHarness(openAIDefault: { body in
            .toolCalls([OpenAIToolCall(name: "ls", arguments: "{\"limit\": \(body["messages"]?.arrayValue?.count ?? 0)}")])
        })
        let worker = try RunningWorker(harness, ["AGENT_MAX_STEPS": "4"])
        let sent = await ask(harness, "loop forever")
        _ = worker
        #expect(sent.first?.text.contains("AGENT_MAX_STEPS") == true)
        #expect(sent.first?.text.contains("4") == true)
        #expect(harness.openAI.requests.count == 4)
        #expect(harness.events("tool_call.started").count == 3)
        let limit = try #require(harness.events("control.limit_reached").first?.payloadObject)
        #expect(limit["limit"] == "max_steps")
        #expect(limit["value"] == 4)
        #expect(harness.events("agent.failed").first?.payloadObject?["reason"] == "limit_reached")
        // The unrun call is stored with a "not run" result, so the next request is well formed.
        _ = await ask(harness, "and now?", replies: 2)
        let next = try #require(harness.openAI.requests.last).messages
        let calls = next.compactMap { $0["tool_calls"]?.arrayValue }.flatMap { $0 }.compactMap { $0["id"]?.stringValue }
        let results = next.filter { $0["role"] == "tool" }.compactMap { $0["tool_call_id"]?.stringValue }
        #expect(calls == results)
        #expect(next.contains { $0["role"] == "tool" && $0["content"]?.stringValue?.contains("not run") == true })
    }

    @Test("AGENT_MAX_TOKENS: reached after a turn, its tool calls do not run")
    func tokenLimit() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.toolCalls([call("ls", "{}")], usage: .exact(prompt: 900, completion: 200, cached: 0)))
        let worker = try RunningWorker(harness, ["AGENT_MAX_TOKENS": "1000"])
        let sent = await ask(harness, "big")
        _ = worker
        #expect(sent.first?.text.contains("AGENT_MAX_TOKENS") == true)
        #expect(harness.openAI.requests.count == 1)
        #expect(harness.events("tool_call.started").isEmpty)
        let limit = try #require(harness.events("control.limit_reached").first?.payloadObject)
        #expect(limit["limit"] == "max_tokens")
        #expect(limit["used"] == 1100)
    }

    @Test("AGENT_MAX_COST_USD: reached after a turn, its tool calls do not run")
    func costLimit() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.toolCalls([call("ls", "{}")], usage: .exact(prompt: 100_000, completion: 10_000, cached: 0)))
        let worker = try RunningWorker(harness, ["AGENT_MAX_COST_USD": "0.01"])
        let sent = await ask(harness, "expensive")
        _ = worker
        #expect(sent.first?.text.contains("AGENT_MAX_COST_USD") == true)
        #expect(harness.events("tool_call.started").isEmpty)
        #expect(harness.events("control.limit_reached").first?.payloadObject?["limit"] == "max_cost_usd")
    }

    @Test("an unknown price and a missing usage give an unknown cost, never 0, said once in the events")
    func unknownCost() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(
            .toolCalls([call("ls", "{}")], usage: .omitted), .toolCalls([call("ls", #"{"path": "."}"#)]), .text("done"))
        let worker = try RunningWorker(harness, ["OPENAI_MODEL": "my-local-model"])
        let sent = await ask(harness, "cheap?")
        _ = worker
        #expect(sent.first?.text == "done")
        let costs = harness.events("model.completed").map { $0.payloadObject?["cost_usd"] }
        #expect(costs == [.null, .null, .null])
        #expect(harness.events("model.completed").first?.payloadObject?["input_tokens"] == .null)
        let warnings = harness.events("control.limit_unenforceable")
        #expect(warnings.count == 1)
        #expect(warnings.first?.payloadObject?["limit"] == "max_cost_usd")
        let completed = try #require(harness.events("agent.completed").first?.payloadObject)
        #expect(completed["cost_usd"] == .null)
        #expect(completed["usage_complete"] == false)
    }

    @Test("the same call with the same result three times ends the run with progress.stalled")
    func stalled() async throws {
        let harness = try AgentHarness(openAIDefault: { _ in
            .toolCalls([OpenAIToolCall(name: "read", arguments: #"{"path": "notes.txt"}"#)])
        })
        try "same\n".write(toFile: harness.workspace + "/notes.txt", atomically: true, encoding: .utf8)
        let worker = try RunningWorker(harness)
        let sent = await ask(harness, "read it again and again")
        _ = worker
        #expect(sent.first?.text.contains("same call") == true)
        #expect(harness.openAI.requests.count == 3)
        let stalled = try #require(harness.events("progress.stalled").first?.payloadObject)
        #expect(stalled["k"] == 3)
        #expect(stalled["signature"]?.stringValue?.contains("read") == true)
        #expect(harness.events("agent.failed").first?.payloadObject?["reason"] == "stalled")
    }

    @Test("arguments that are not JSON, an unknown tool and a tool the policy refuses give error results; the run goes on")
    func badCalls() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(
            .toolCalls(
                [
                    call("read", "{\"path\": \"notes", id: "c1"), call("teleport", "{}", id: "c2"),
                    call("bash", #"{"command": "id"}"#, id: "c3"),
                ],
                finishReason: "stop"),
            .text("I could not do that."))
        let worker = try RunningWorker(harness, ["AGENT_TOOL_TIERS": "read,write"])
        let sent = await ask(harness, "try things")
        _ = worker
        #expect(sent.first?.text == "I could not do that.")
        let requests = harness.openAI.requests
        try #require(requests.count == 2)
        #expect(requests[0].body["tools"]?.arrayValue?.contains { $0["function"]?["name"] == "bash" } == false)
        let results = requests[1].messages.filter { $0["role"] == "tool" }
        #expect(results.map { $0["tool_call_id"]?.stringValue } == ["c1", "c2", "c3"])
        let errors = results.compactMap { $0["content"]?.stringValue.flatMap { try? JSONValue(parsing: $0) }?["error"]?.stringValue }
        #expect(errors.count == 3)
        #expect(errors[0].contains("not valid JSON"))
        #expect(errors[1].contains("teleport"))
        #expect(errors[2].contains("AGENT_TOOL_TIERS"))
        #expect(harness.events("tool_call.failed").count == 3)
    }

    @Test("what compatible servers send: text beside calls is kept, several calls run, no usage is null, an error with status 200")
    func serverQuirks() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(
            .toolCalls(
                [call("ls", "{}", id: "a"), call("find", #"{"pattern": "*.txt"}"#, id: "b")], text: "Let me look.", usage: .omitted),
            .raw(status: 200, body: #"{"error": {"message": "upstream overloaded", "type": "server_error", "code": "overloaded"}}"#),
            .text("Nothing there."))
        let worker = try RunningWorker(harness, ["AGENT_MODEL_RETRY_BASE_MS": "10", "AGENT_MODEL_RETRY_CAP_MS": "20"])
        let sent = await ask(harness, "look around")
        _ = worker
        #expect(sent.first?.text == "Nothing there.")
        #expect(harness.openAI.requests.count == 3)
        let last = try #require(harness.openAI.requests.last).messages
        let assistant = try #require(last.first { $0["role"] == "assistant" })
        #expect(assistant["content"] == "Let me look.")
        #expect(assistant["tool_calls"]?.arrayValue?.count == 2)
        #expect(harness.events("retry.scheduled").count == 1)
        let first = try #require(harness.events("model.completed").first?.payloadObject)
        #expect(first["input_tokens"] == .null)
        #expect(harness.events("agent.completed").first?.payloadObject?["usage_complete"] == false)
    }

    @Test("429, 500, then 200: retried with the delays observed; 401 and insufficient_quota: one call and one explaining reply")
    func modelErrors() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.rateLimited(retryAfter: 1), .serverError, .text("at last"))
        let worker = try RunningWorker(harness, ["AGENT_MODEL_RETRY_BASE_MS": "200", "AGENT_MODEL_RETRY_CAP_MS": "400"])
        let started = ContinuousClock.now
        let sent = await ask(harness, "flaky")
        #expect(sent.first?.text == "at last")
        let delays = harness.events("retry.scheduled").compactMap { $0.payloadObject?["delay_ms"]?.int64Value }
        #expect(delays.count == 2)
        #expect(delays.first == 1000)
        #expect(delays.last.map { $0 <= 400 } == true)
        #expect(ContinuousClock.now - started >= .seconds(1))

        harness.openAI.enqueue(.invalidAPIKey)
        let afterKey = await ask(harness, "key?", replies: 2)
        #expect(afterKey.last?.text.contains("OPENAI_API_KEY") == true)
        harness.openAI.enqueue(.insufficientQuota)
        let afterQuota = await ask(harness, "quota?", replies: 3)
        #expect(afterQuota.last?.text.contains("insufficient_quota") == true)
        #expect(harness.openAI.requests.count == 5)
        _ = worker
    }

    @Test("the circuit opens after 3 identical errors, refuses without a call while open, and closes after a good trial")
    func circuit() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(.overloaded, .overloaded, .overloaded)
        let worker = try RunningWorker(
            harness, ["AGENT_MODEL_MAX_RETRIES": "2", "AGENT_MODEL_RETRY_BASE_MS": "10", "AGENT_CIRCUIT_OPEN_S": "2"])
        let first = await ask(harness, "one")
        #expect(first.first?.text.contains("not answering") == true)
        #expect(harness.events("circuit.opened").count == 1)
        let second = await ask(harness, "two", replies: 2)
        #expect(second.last?.text.contains("paused") == true)
        #expect(harness.openAI.requests.count == 3)
        try await Task.sleep(for: .seconds(2.2))
        let third = await ask(harness, "three", replies: 3)
        #expect(third.last?.text == "Echo: three")
        #expect(harness.events("circuit.half_open").count == 1)
        #expect(harness.events("circuit.closed").count == 1)
        _ = worker
    }

    @Test("/stop during a bash that sleeps 60 s: Stopped. within 2 s, and no process of the tool is left")
    func stopDuringBash() async throws {
        let marker = "agent-stop-\(UInt32.random(in: 0...UInt32.max))"
        let harness = try AgentHarness()
        harness.openAI.enqueue(.toolCalls([call("bash", "{\"command\": \"sleep 60; echo \(marker)\"}")]), .text("unreachable"))
        let worker = try RunningWorker(harness, ["AGENT_ALLOW_UNSANDBOXED_EXEC": "1"])
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "sleep a while")
        #expect(await harness.wait(timeout: .seconds(20)) { Self.processes(containing: marker) > 0 })
        let stopped = ContinuousClock.now
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "/stop")
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(10))
        #expect(sent.first?.text == "Stopped.")
        #expect(ContinuousClock.now - stopped < .seconds(2))
        #expect(await harness.wait(timeout: .seconds(2)) { Self.processes(containing: marker) == 0 })
        #expect(harness.events("agent.failed").first?.payloadObject?["reason"] == "aborted")
        #expect(harness.openAI.requests.count == 1)
        _ = worker
    }

    @Test("kill -9 between two tool calls: one final reply, both attempts in the events, the stored call not run twice")
    func crashBetweenToolCalls() async throws {
        let harness = try AgentHarness()
        harness.openAI.enqueue(
            .toolCalls(
                [
                    call("bash", #"{"command": "echo first >> side-effects.txt"}"#, id: "one"),
                    call("bash", #"{"command": "echo second >> side-effects.txt"}"#, id: "two"),
                ]),
            .text("Both written."))
        let environment = ["AGENT_ALLOW_UNSANDBOXED_EXEC": "1"]
        let doomed = try harness.startWorker(environment.merging(["AGENT_FAILPOINT": "after_tool_result_stored"]) { _, new in new })
        harness.telegram.sendUserMessage(chatID: harness.userID, userID: harness.userID, text: "write twice")
        let status = await doomed.wait(timeout: .seconds(30)).status
        #expect(status.signal == SIGKILL)
        let worker = try RunningWorker(harness, environment)
        let sent = await harness.telegram.waitForSentMessages(count: 1, chatID: harness.userID, timeout: .seconds(30))
        #expect(sent.first?.text == "Both written.")
        try await Task.sleep(for: .milliseconds(300))
        #expect(harness.telegram.sentMessages(chatID: harness.userID).count == 1)
        let written = try String(contentsOfFile: harness.workspace + "/side-effects.txt", encoding: .utf8)
        #expect(written == "first\nsecond\n")
        #expect(harness.events("agent.started").map { $0.payloadObject?["attempt"] } == [1, 2])
        #expect(harness.events("tool_call.started").map { $0.payloadObject?["call_id"] } == ["one", "two"])
        let last = try #require(harness.openAI.requests.last).messages
        #expect(last.filter { $0["role"] == "tool" }.map { $0["tool_call_id"]?.stringValue } == ["one", "two"])
        _ = worker
    }

    /// How many processes have `marker` in their command line.
    static func processes(containing marker: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { Int($0) != nil }.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(marker)
        }.count
    }
}
