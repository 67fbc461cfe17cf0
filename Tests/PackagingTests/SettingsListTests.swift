import Foundation
import TestSupport
import Testing

/// `.env.example` lists every setting, and `compose.yaml` passes every one into the container.
@Suite(".env.example and compose.yaml against the settings the code reads", .timeLimit(.minutes(1)))
struct SettingsListTests {
    /// The variables of SPEC section 10 and the settings SPEC sections 5, 7 and 8 name.
    static let specified: Set<String> = [
        "TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "TELEGRAM_API_BASE", "TELEGRAM_ALLOWED_USER_IDS", "TELEGRAM_ADMIN_USER_IDS",
        "OPENAI_BASE_URL", "OPENAI_MODEL", "AGENT_HOME", "AGENT_DB", "AGENT_WORKSPACE", "AGENT_STREAM", "AGENT_READY_TIMEOUT_S",
        "AGENT_WATCHDOG_S", "AGENT_BACKOFF_BASE_MS", "AGENT_BACKOFF_MAX_S", "AGENT_STABLE_RESET_S", "AGENT_CRASH_WINDOW_S",
        "AGENT_CRASH_MAX", "AGENT_CRASH_BEFORE_READY_MAX", "AGENT_STOP_GRACE_S", "AGENT_PROBATION_S", "AGENT_ALERT_AFTER_S",
        "AGENT_BASH_MAX_FILE_MB", "AGENT_BASH_MAX_PROCS", "AGENT_ALLOW_UNSANDBOXED_EXEC", "AGENT_MAX_STEPS", "AGENT_MAX_WALL_S",
        "AGENT_MAX_TOKENS", "AGENT_MAX_COST_USD", "AGENT_DAILY_COST_USD",
    ]
    /// Settings whose value the container fixes (its volumes and its copy of the source).
    static let fixedInContainer: Set<String> = ["AGENT_HOME", "AGENT_DB", "AGENT_WORKSPACE", "AGENT_SOURCE"]
    static let secrets = ["TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY"]

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOfFile: "\(Repository.root)/\(relativePath)", encoding: .utf8)
    }

    @Test("every variable the programs read is in .env.example, as a setting or as internal")
    func everyVariableReadIsListed() throws {
        let example = SettingsList(envExample: try Self.text(".env.example"))
        let read = try SettingsList.variablesRead(underSources: Repository.root + "/Sources")
        #expect(read.count > 40 && read.contains("AGENT_WATCHDOG_S"))
        let unlisted = read.subtracting(example.settings).subtracting(example.internalNames).sorted()
        #expect(unlisted.isEmpty, "read by Sources/ but not in .env.example (add a line, with its default): \(unlisted)")
        let stale = example.settings.subtracting(read).subtracting(Self.specified).sorted()
        #expect(stale.isEmpty, "in .env.example but neither read by Sources/ nor named by the SPEC: \(stale)")
        let missing = Self.specified.subtracting(example.settings).sorted()
        #expect(missing.isEmpty, "named by the SPEC but not in .env.example: \(missing)")
    }

    @Test(".env.example gives the secrets no value, and the required settings uncommented and empty")
    func noSecretValues() throws {
        let lines = try Self.text(".env.example").split(separator: "\n").map(String.init)
        for required in Self.secrets + ["TELEGRAM_ALLOWED_USER_IDS"] {
            #expect(lines.filter { $0.hasPrefix(required + "=") } == [required + "="])
        }
        for line in lines where !line.hasPrefix("#") && line.contains("=") {
            #expect(line.hasSuffix("="), "an uncommented setting with a value: \(line)")
        }
    }

    @Test("compose.yaml passes every setting of .env.example into the container, and fixes the paths")
    func composePassesEverySetting() throws {
        let example = SettingsList(envExample: try Self.text(".env.example"))
        let environment = SettingsList.composeEnvironment(try Self.text("compose.yaml"))
        #expect(environment.count >= example.settings.count)
        for setting in example.settings.sorted() {
            guard let value = environment[setting] else {
                Issue.record("compose.yaml does not pass \(setting)")
                continue
            }
            if Self.fixedInContainer.contains(setting) {
                #expect(value.hasPrefix("/"), "\(setting) should be a path of the container, not \(value)")
            } else {
                #expect(value.hasPrefix("${\(setting):"), "\(setting) should come from the environment or .env, not \(value)")
            }
        }
        for secret in Self.secrets { #expect(environment[secret]?.hasPrefix("${\(secret):?") == true) }
        #expect(environment.keys.filter { !example.settings.contains($0) }.isEmpty)
    }
}
