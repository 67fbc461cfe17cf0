/// The version every program reports in `process.started` and `--version`.
public enum BuildInfo {
    public static let version = "0.1.0"
}
