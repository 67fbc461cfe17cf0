import Foundation

/// Where an OpenAI-compatible chat-completions API is and the key for it. The key is kept out of every description.
public struct OpenAIConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// `https://api.openai.com/v1`.
    public static let defaultBaseURL = URL(string: "https://api.openai.com/v1")!

    /// The API root (`OPENAI_BASE_URL`); calls go to `<baseURL>/chat/completions`.
    public var baseURL: URL
    let apiKey: String
    /// The deadline of one call, answer included.
    public var requestTimeout: Duration

    public init(apiKey: String, baseURL: URL = Self.defaultBaseURL, requestTimeout: Duration = .seconds(120)) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.requestTimeout = requestTimeout
    }

    /// Reads `OPENAI_API_KEY` (required) and `OPENAI_BASE_URL` (default `https://api.openai.com/v1`).
    /// - Throws: `ModelError` `.invalidConfiguration`, naming the variable and never showing the key.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ModelError)
        -> OpenAIConfiguration
    {
        guard let key = environment["OPENAI_API_KEY"], !key.isEmpty else {
            throw ModelError(.invalidConfiguration, "OPENAI_API_KEY: is required but not set")
        }
        guard !key.contains(where: \.isWhitespace) else {
            throw ModelError(.invalidConfiguration, "OPENAI_API_KEY: contains whitespace (value not shown)")
        }
        var baseURL = defaultBaseURL
        if let text = environment["OPENAI_BASE_URL"], !text.isEmpty {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
            else { throw ModelError(.invalidConfiguration, "OPENAI_BASE_URL: must be an http(s) URL, got \"\(text)\"") }
            baseURL = url
        }
        return OpenAIConfiguration(apiKey: key, baseURL: baseURL)
    }

    public var description: String { "OpenAIConfiguration(baseURL: \(baseURL.absoluteString), apiKey: <redacted>)" }

    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": baseURL, "apiKey": "<redacted>", "requestTimeout": requestTimeout])
    }
}
