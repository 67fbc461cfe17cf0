import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Where the Bot API is and how long calls may take. The token is kept out of every description of it.
public struct TelegramConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// `https://api.telegram.org`.
    public static let defaultAPIBase = URL(string: "https://api.telegram.org")!

    /// The API root (`TELEGRAM_API_BASE`); calls go to `<apiBase>/bot<token>/<method>`.
    public var apiBase: URL
    let token: String
    /// The deadline of every call but `getUpdates`.
    public var requestTimeout: Duration
    /// How much longer than its poll timeout a `getUpdates` may take.
    public var longPollGrace: Duration

    public init(
        token: String, apiBase: URL = Self.defaultAPIBase, requestTimeout: Duration = .seconds(15), longPollGrace: Duration = .seconds(10)
    ) {
        self.token = token
        self.apiBase = apiBase
        self.requestTimeout = requestTimeout
        self.longPollGrace = longPollGrace
    }

    /// Reads `TELEGRAM_BOT_TOKEN` (required) and `TELEGRAM_API_BASE` (default `https://api.telegram.org`).
    /// - Throws: `TelegramError` `.invalidConfiguration`, naming the variable and never showing the token.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(TelegramError)
        -> TelegramConfiguration
    {
        func invalid(_ text: String) -> TelegramError { TelegramError(.invalidConfiguration, method: "configuration", message: text) }
        guard let token = environment["TELEGRAM_BOT_TOKEN"], !token.isEmpty else {
            throw invalid("TELEGRAM_BOT_TOKEN: is required but not set")
        }
        guard !token.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "?" || $0 == "#" }) else {
            throw invalid("TELEGRAM_BOT_TOKEN: contains characters a token never has (value not shown)")
        }
        var apiBase = defaultAPIBase
        if let text = environment["TELEGRAM_API_BASE"], !text.isEmpty {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
            else { throw invalid("TELEGRAM_API_BASE: must be an http(s) URL, got \"\(text)\"") }
            apiBase = url
        }
        return TelegramConfiguration(token: token, apiBase: apiBase)
    }

    public var description: String { "TelegramConfiguration(apiBase: \(apiBase.absoluteString), token: <redacted>)" }

    public var customMirror: Mirror {
        Mirror(
            self, children: ["apiBase": apiBase, "token": "<redacted>", "requestTimeout": requestTimeout, "longPollGrace": longPollGrace])
    }
}
