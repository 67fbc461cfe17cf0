import Events
import Foundation
import Logging
import Revisions
import Settings
import Tools

/// `agent-worker --self-check`: what a new build must pass before it can be staged (SPEC section 6). It reads the
/// configuration, opens the database (a copy, in a stage) and checks its schema, loads the tool registry and runs
/// the sandbox trial; it talks to neither Telegram nor the model.
///
/// A stage runs it without secrets (they never enter a stage): a missing bot token or API key is stood in for by a
/// placeholder, a malformed one still fails.
public enum SelfCheck {
    /// The outcome: one line for the log.
    public struct Report: Sendable {
        public let passed: Bool
        public let line: String
    }

    /// Runs every check; the first failure ends it, named.
    public static func run(environment: [String: String]) async -> Report {
        var values = environment
        for secret in ["TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY"] where (values[secret] ?? "").isEmpty {
            values[secret] = "self-check-placeholder"
        }
        let settings: WorkerSettings
        do {
            settings = try WorkerSettings(environment: EnvironmentReader(values), executableRev: SelfRevision.current)
        } catch {
            return Report(passed: false, line: "self-check failed: configuration: \(error)")
        }
        let schema: String
        do {
            let database = try Database(path: settings.paths.database)
            let version = try database.read { connection throws(EventsError) in try Schema.storedVersion(connection) }
            _ = try DerivedState(database: database).workerInstanceSeq()
            schema = version.description
        } catch {
            return Report(passed: false, line: "self-check failed: database \(settings.paths.database): \(error.message)")
        }
        let sandbox = await BashSandbox.probe(policy: settings.toolPolicy)
        let stages = StageLauncher(paths: settings.paths, environment: environment, logger: Logger(label: "self-check"))
        let registry = WorkerTools.registry(policy: settings.toolPolicy, sandbox: sandbox, stages: stages)
        let offered = registry.definitions
        guard !registry.tools.isEmpty else {
            return Report(passed: false, line: "self-check failed: tools: the registry is empty")
        }
        return Report(
            passed: true,
            line:
                "self-check passed: schema \(schema) (this build writes \(Schema.current)), \(registry.tools.count) tools (\(offered.count) offered), sandbox \(sandbox.state.rawValue)"
        )
    }
}
