/// The environment a command of `bash` gets: the worker's, without anything that looks like a secret.
///
/// Removed: `TELEGRAM_BOT_TOKEN`, `OPENAI_API_KEY`, every variable whose name has a word like `TOKEN`, `SECRET`,
/// `PASSWORD`, `KEY`, `CREDENTIALS`, `AUTH` or `COOKIE` (split on `_`), every variable whose value looks
/// like an API key or a bot token, and `AGENT_HOME` / `AGENT_DB` (the command cannot see them anyway).
public enum CommandEnvironment {
    /// Words of a variable name that mark it as a secret.
    static let secretWords: Set<String> = [
        "TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASS", "PASSPHRASE", "KEY", "KEYS", "APIKEY",
        "CREDENTIAL", "CREDENTIALS", "AUTH", "COOKIE", "PRIVATE", "SIGNATURE", "DSN",
    ]

    /// The variables always removed, whatever their names say.
    static let alwaysRemoved: Set<String> = ["TELEGRAM_BOT_TOKEN", "OPENAI_API_KEY", "AGENT_HOME", "AGENT_DB"]

    /// Removed variables that hold paths, not secrets: their values are not masked.
    static let pathVariables: Set<String> = ["AGENT_HOME", "AGENT_DB"]

    /// Splits `environment` into what a command may see and the values of the secrets taken out.
    public static func filter(_ environment: [String: String]) -> (kept: [String: String], secrets: [String]) {
        var kept: [String: String] = [:]
        var secrets: [String] = []
        for (name, value) in environment {
            if isSecret(name: name, value: value) {
                if !pathVariables.contains(name) { secrets.append(value) }
            } else {
                kept[name] = value
            }
        }
        return (kept, secrets.filter { $0.utf8.count >= 8 })
    }

    /// Whether a variable is kept out of commands.
    public static func isSecret(name: String, value: String) -> Bool {
        if alwaysRemoved.contains(name) { return true }
        let words = name.uppercased().split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." })
        if words.contains(where: { secretWords.contains(String($0)) }) { return true }
        return SecretMasker.looksLikeSecret(value)
    }
}
