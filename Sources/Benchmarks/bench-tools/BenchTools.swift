import Events
import Foundation
import ProcessControl
import Settings
import Tools

/// The in-process half of `scripts/bench/30-tools.sh`: the tools as the worker calls them (`tool_ms`: no process
/// start of ours, but grep's own start of rg), against the programs they are measured by (started as processes),
/// in alternation in the same run so that a busy machine slows every contender alike. Prints medians as
/// `name: value` lines.
///
/// Usage: `bench-tools TREE READING HOME` (the folders the script generated).
@main
struct BenchTools {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 4 else {
            FileHandle.standardError.write(Data("usage: bench-tools TREE READING HOME\n".utf8))
            exit(2)
        }
        let (tree, reading, home) = (arguments[1], arguments[2], arguments[3])
        let environment = ProcessInfo.processInfo.environment
        let treeTools = try registry(workspace: tree, home: home, environment: environment)
        let readTools = try registry(workspace: reading, home: home, environment: environment)

        let pattern = "needle_[0-9]+"
        // `rg_tool_flags` is ripgrep with the tool's own flags and output format, to tell ripgrep's share from ours.
        let toolFlags = [
            "--null", "--with-filename", "--line-number", "--no-heading", "--color", "never", "--no-context-separator", "--no-config",
            "--hidden", "--no-require-git", "-g", "!.git", "-g", "!.build", "--regexp", pattern, "--", tree,
        ]
        let grep = try await compare(
            rounds: 30,
            ("rg", { try await run("rg", [pattern, tree], environment) }),
            ("rg_tool_flags", { try await run("rg", toolFlags, environment) }),
            ("gnu_grep", { try await run("grep", ["-rE", pattern, tree], environment) }),
            ("tool", { try await call(treeTools, "grep", ["pattern": .string(pattern), "limit": 1000]) }))
        report("grep", grep, against: "rg", target: "<= 1.2")
        print("tools.grep.ratio_vs_gnu_grep: \(ratio(grep["tool"]!, grep["gnu_grep"]!))")

        let glob = "*1.md"
        let find = try await compare(
            rounds: 20,
            ("gnu_find", { try await run("find", [tree, "-name", glob], environment) }),
            ("fdfind", { try await run("fdfind", ["-g", glob, tree], environment) }),
            ("tool", { try await call(treeTools, "find", ["pattern": .string(glob), "limit": 10000]) }))
        report("find", find, against: "gnu_find", target: "<= 2")
        print("tools.find.ratio_vs_fdfind: \(ratio(find["tool"]!, find["fdfind"]!))")

        let lines = 13107 * 100
        let read = try await compare(
            rounds: 30, ("tool", { try await call(readTools, "read", ["path": "big.txt", "offset": .int(Int64(lines - 600))]) }))
        print("tools.read.last_page_100mb_ms: \(format(read["tool"]!)) (target < 50)")
    }

    static func registry(workspace: String, home: String, environment: [String: String]) throws -> ToolRegistry {
        var values = environment
        values["AGENT_WORKSPACE"] = workspace
        values["AGENT_HOME"] = home
        let policy = try ToolPolicy(environment: EnvironmentReader(values))
        return ToolRegistry(policy: policy, sandbox: SandboxStatus(state: .execDisabled, reason: "not needed"))
    }

    /// Runs each contender `rounds` times, in turn, and returns the median milliseconds of each.
    static func compare(rounds: Int, _ contenders: (String, @Sendable () async throws -> Void)...) async throws -> [String: Double] {
        var samples: [String: [Double]] = [:]
        let clock = ContinuousClock()
        for (_, body) in contenders { try await body() }  // warm the caches
        for _ in 0..<rounds {
            for (name, body) in contenders {
                let start = clock.now
                try await body()
                let elapsed = clock.now - start
                samples[name, default: []].append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
            }
        }
        return samples.mapValues { $0.sorted()[$0.count / 2] }
    }

    /// A program to its end, its output read through a pipe as a reader would.
    static func run(_ program: String, _ arguments: [String], _ environment: [String: String]) async throws {
        let child = try ChildProcess.spawn(
            ProcessSpec(executable: program, arguments: arguments, environment: environment, standardOutput: .pipe, standardError: .null))
        for await _ in child.output! {}
        _ = await child.wait()
    }

    struct ToolFailed: Error, CustomStringConvertible {
        let description: String
    }

    static func call(_ registry: ToolRegistry, _ tool: String, _ arguments: JSONObject) async throws {
        let envelope = await registry.call(tool, arguments: .object(arguments)).envelope
        guard envelope.ok, !envelope.stdout.isEmpty else { throw ToolFailed(description: "\(tool): \(envelope.json.prefix(300))") }
    }

    static func report(_ name: String, _ medians: [String: Double], against baseline: String, target: String) {
        for (contender, value) in medians.sorted(by: { $0.key < $1.key }) {
            print("tools.\(name).\(contender)_ms: \(format(value))")
        }
        print("tools.\(name).ratio_vs_\(baseline): \(ratio(medians["tool"]!, medians[baseline]!)) (target \(target))")
    }

    static func format(_ milliseconds: Double) -> String { String(format: "%.1f", milliseconds) }
    static func ratio(_ value: Double, _ baseline: Double) -> String { String(format: "%.2f", value / baseline) }
}
