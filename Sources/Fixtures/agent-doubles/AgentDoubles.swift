import ArgumentParser
import Foundation
import TestSupport

/// Starts the Telegram and OpenAI doubles on loopback for manual runs and demos, prints where they are, and stays
/// up until SIGINT or SIGTERM. Scripting goes through their `/_double/` control endpoints (docs/doubles.md).
@main
struct AgentDoubles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-doubles",
        abstract: "Run loopback doubles of the Telegram Bot API and the OpenAI chat-completions API.",
        discussion: """
            Prints TELEGRAM_API_BASE=... and OPENAI_BASE_URL=... (one per line, ready for `export`), then serves until \
            SIGINT or SIGTERM. On exit it prints the requests that broke the API specifications and exits 1 if there \
            were any.
            """)

    @Option(help: "The Telegram double's port (0: any free port).")
    var telegramPort = 0

    @Option(help: "The OpenAI double's port (0: any free port).")
    var openaiPort = 0

    @Option(help: "The only bot token the Telegram double accepts (default: any).")
    var token: String?

    @Option(help: "The only API key the OpenAI double accepts (default: any).")
    var apiKey: String?

    @Flag(help: "Do not check requests against the specifications.")
    var noValidation = false

    func run() throws {
        // Blocked before any thread starts, so that every thread inherits the mask and only sigwait takes them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let telegram: TelegramDouble
        let openAI: OpenAIDouble
        do {
            telegram = try TelegramDouble(port: telegramPort, token: token, validate: !noValidation)
            openAI = try OpenAIDouble(port: openaiPort, apiKey: apiKey, validate: !noValidation)
        } catch {
            FileHandle.standardError.write(Data("agent-doubles: \(error)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(Data("TELEGRAM_API_BASE=\(telegram.apiBase)\nOPENAI_BASE_URL=\(openAI.baseURL)\n".utf8))

        var received: Int32 = 0
        sigwait(&signals, &received)

        telegram.stop()
        openAI.stop()
        let violations = telegram.violations + openAI.violations
        let summary =
            "agent-doubles: stopped by signal \(received); \(telegram.requests.count) Telegram and \(openAI.requests.count) "
            + "OpenAI requests, \(violations.count) specification violations\n"
        FileHandle.standardError.write(Data(summary.utf8))
        for violation in violations { FileHandle.standardError.write(Data("violation: \(violation)\n".utf8)) }
        if !violations.isEmpty { throw ExitCode(1) }
    }
}
