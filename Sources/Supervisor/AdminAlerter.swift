import Telegram

/// Sends the admins a short Telegram message when no worker can serve: the supervisor's only Telegram call.
///
/// A plain `sendMessage` through the project's one Telegram client, made when the alert is due (the supervisor
/// keeps no connection open meanwhile). The token never appears in a failure it reports.
public struct AdminAlerter: Sendable {
    public let configuration: TelegramConfiguration
    public let adminUserIDs: [Int64]

    public init(configuration: TelegramConfiguration, adminUserIDs: [Int64]) {
        self.configuration = configuration
        self.adminUserIDs = adminUserIDs
    }

    /// Sends `text` to every admin's private chat (a private chat's id is the user's id).
    ///
    /// - Returns: how many admins were reached, and the first failure as a token-free text.
    public func send(_ text: String) async -> (delivered: Int, failure: String?) {
        let client = TelegramClient(configuration: configuration)
        var delivered = 0
        var failure: String?
        for admin in adminUserIDs {
            do {
                _ = try await client.sendMessage(chatID: admin, text: text)
                delivered += 1
            } catch {
                failure = failure ?? "sendMessage to \(admin) failed: \(error.message)"
            }
        }
        return (delivered, failure)
    }
}
