extension EnvironmentReader {
    /// `AGENT_LOG_LEVEL` (default `info`), checked: `debug`, `info`, `warning` or `error`, the names swift-log uses.
    public func logLevel() throws(ConfigurationError) -> String {
        let level = string("AGENT_LOG_LEVEL", default: "info").lowercased()
        guard ["debug", "info", "warning", "error"].contains(level) else {
            throw ConfigurationError(variable: "AGENT_LOG_LEVEL", problem: "must be debug, info, warning or error, got \"\(level)\"")
        }
        return level
    }
}
