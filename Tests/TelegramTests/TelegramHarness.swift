import Foundation
import HTTPSupport
import Telegram
import TestSupport

/// A Telegram double and a client pointed at it, with a token that must never show up in any text.
struct TelegramHarness {
    static let token = "7000000001:AAH-secret-token-0123456789abcdefXYZ"

    let double: TelegramDouble
    let client: TelegramClient

    init(requestTimeout: Duration = .seconds(5), longPollGrace: Duration = .seconds(3)) throws {
        double = try TelegramDouble(token: Self.token)
        client = TelegramClient(
            configuration: TelegramConfiguration(
                token: Self.token, apiBase: URL(string: double.apiBase)!, requestTimeout: requestTimeout, longPollGrace: longPollGrace))
    }

    /// A second client of the same bot, on its own connections (another poller).
    func secondClient() -> TelegramClient {
        TelegramClient(configuration: client.configuration, transport: HTTPTransport())
    }

    /// Runs `body` and returns the `TelegramError` it throws, or `nil` when it succeeds.
    func error<T>(_ body: () async throws(TelegramError) -> T) async -> TelegramError? {
        await Self.error(body)
    }

    /// Runs `body` and returns the `TelegramError` it throws, or `nil` when it succeeds.
    static func error<T>(_ body: () async throws(TelegramError) -> T) async -> TelegramError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }
}
