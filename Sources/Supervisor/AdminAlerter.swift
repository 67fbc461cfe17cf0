import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends the admins a short Telegram message when no worker can serve: the supervisor's only Telegram call.
///
/// It is a bare `sendMessage` on purpose: the supervisor must keep working when the worker's Telegram client
/// (or anything else of the worker's) is what is broken. The token is part of the URL and never appears in an
/// error it reports.
public struct AdminAlerter: Sendable {
    public let base: URL
    private let token: String
    public let adminUserIDs: [Int64]

    public init(base: URL, token: String, adminUserIDs: [Int64]) {
        self.base = base
        self.token = token
        self.adminUserIDs = adminUserIDs
    }

    /// Sends `text` to every admin's private chat (a private chat's id is the user's id).
    ///
    /// - Returns: how many admins were reached, and the first failure as a token-free text.
    public func send(_ text: String) async -> (delivered: Int, failure: String?) {
        var delivered = 0
        var failure: String?
        for admin in adminUserIDs {
            var request = URLRequest(url: base.appendingPathComponent("bot\(token)/sendMessage"))
            request.httpMethod = "POST"
            request.timeoutInterval = 10
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try? JSONSerialization.data(withJSONObject: ["chat_id": admin, "text": text])
            do {
                let (data, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                let answer = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
                if status == 200, answer?["ok"] as? Bool == true {
                    delivered += 1
                } else {
                    let description = (answer?["description"] as? String) ?? "HTTP \(status)"
                    failure =
                        failure ?? "sendMessage to \(admin) failed: \(description.replacingOccurrences(of: token, with: "[REDACTED]"))"
                }
            } catch let error as URLError {
                failure = failure ?? "sendMessage to \(admin) failed: network error \(error.code.rawValue)"
            } catch {
                failure = failure ?? "sendMessage to \(admin) failed"
            }
        }
        return (delivered, failure)
    }
}
