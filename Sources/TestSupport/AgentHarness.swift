import Events
import Foundation
import ProcessControl

/// A temporary agent installation for end-to-end tests and benchmarks: a home, a workspace, the two doubles, and
/// the environment that points the real executables at them.
public final class AgentHarness: Sendable {
    /// The bot token the Telegram double accepts; tests assert it never reaches a log, an event or an error.
    public static let token = "7000000001:TEST-bot-token-Zq9xW3vK"
    /// The API key the OpenAI double accepts.
    public static let apiKey = "sk-test-key-5d1e6b0c2a"

    public let folder: TemporaryDirectory
    public let telegram: TelegramDouble
    public let openAI: OpenAIDouble
    /// The allowed Telegram user.
    public let userID: Int64 = 4242

    public var home: String { folder.file("home") }
    public var workspace: String { folder.file("workspace") }
    public var databasePath: String { "\(home)/agent.db" }
    /// Where the children's standard error goes, one file per start.
    public var logsDirectory: String { folder.file("logs") }

    public init(openAIDefault: @escaping @Sendable (JSONValue) -> OpenAIAnswer = OpenAIDouble.echo) throws {
        folder = TemporaryDirectory(prefix: "agent-e2e")
        telegram = try TelegramDouble(token: Self.token)
        openAI = try OpenAIDouble(apiKey: Self.apiKey, defaultAnswer: openAIDefault)
        try FileManager.default.createDirectory(atPath: logsDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
    }

    deinit {
        telegram.stop()
        openAI.stop()
    }

    /// The environment of an agent program: the doubles, the folders, the allowlist, fast polls; `extra` wins.
    public func environment(_ extra: [String: String] = [:]) -> [String: String] {
        TestEnvironment.make(
            [
                "TELEGRAM_BOT_TOKEN": Self.token, "TELEGRAM_API_BASE": telegram.apiBase, "OPENAI_API_KEY": Self.apiKey,
                "OPENAI_BASE_URL": openAI.baseURL, "OPENAI_MODEL": "gpt-4o-mini", "TELEGRAM_ALLOWED_USER_IDS": "\(userID)",
                "AGENT_HOME": home, "AGENT_WORKSPACE": workspace, "AGENT_POLL_TIMEOUT_S": "5", "AGENT_LOG_LEVEL": "debug",
                "AGENT_TELEGRAM_TIMEOUT_S": "3", "AGENT_TELEGRAM_POLL_GRACE_S": "2",
            ].merging(extra) { _, new in new })
    }

    /// Starts `agent-worker` on its own (no supervisor: no protocol lines, no watch of stdin).
    public func startWorker(_ extra: [String: String] = [:], name: String = "worker") throws -> ChildProcess {
        try ChildProcess.spawn(
            ProcessSpec(
                executable: Executables.path("agent-worker"), environment: environment(extra),
                standardOutput: .file(logFile(name + ".out")), standardError: .file(logFile(name + ".err"))))
    }

    /// Starts `supervisord-agent --worker <worker>` with the worker's logs and its own in one file.
    public func startSupervisor(
        worker: String = Executables.path("agent-worker"), _ extra: [String: String] = [:], name: String = "supervisor"
    ) throws -> ChildProcess {
        try ChildProcess.spawn(
            ProcessSpec(
                executable: Executables.path("supervisord-agent"), arguments: ["--worker", worker], environment: environment(extra),
                standardOutput: .file(logFile(name + ".out")), standardError: .file(logFile(name + ".err"))))
    }

    /// A unique log file path for one start.
    public func logFile(_ name: String) -> String {
        var path = "\(logsDirectory)/\(name)"
        var index = 1
        while FileManager.default.fileExists(atPath: path) {
            index += 1
            path = "\(logsDirectory)/\(index)-\(name)"
        }
        return path
    }

    /// Every log written so far, concatenated.
    public func allLogs() -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logsDirectory)) ?? []
        return names.sorted().compactMap { try? String(contentsOfFile: "\(logsDirectory)/\($0)", encoding: .utf8) }.joined(separator: "\n")
    }

    /// The database, read-only (nil until a program has created it).
    public func database() -> Database? {
        try? Database(path: databasePath, mode: .readOnly)
    }

    /// Events of a kind (a glob), by id.
    public func events(_ kindGlob: String) -> [Event] {
        guard let database = database() else { return [] }
        return (try? EventReader(database: database).newest(matching: EventFilter(kindGlob: kindGlob), limit: nil).events) ?? []
    }

    /// Waits until `condition` holds, checking every 20 ms, for at most `timeout`. Returns whether it held.
    public func wait(timeout: Duration = .seconds(10), until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// Every text of the database file, its WAL and the logs: where a leaked secret would show.
    public func everythingWritten() -> String {
        var text = allLogs()
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: databasePath + suffix) {
                text += String(decoding: data, as: UTF8.self)
            }
        }
        return text
    }
}
