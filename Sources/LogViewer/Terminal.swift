import Foundation

/// Where the viewer writes, and whether it may colour what it writes.
public struct Terminal: Sendable {
    /// Whether ANSI colours are used.
    public let colors: Bool

    public init(colors: Bool) {
        self.colors = colors
    }

    /// Colours only when standard output is a terminal and `NO_COLOR` is not set (https://no-color.org).
    public static func standardOutput(environment: [String: String] = ProcessInfo.processInfo.environment) -> Terminal {
        let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return Terminal(colors: isatty(STDOUT_FILENO) == 1 && !noColor)
    }

    /// `text` wrapped in the ANSI code `code` when colours are on.
    func paint(_ text: String, _ code: Style) -> String {
        colors ? "\u{1B}[\(code.rawValue)m\(text)\u{1B}[0m" : text
    }

    enum Style: String {
        case dim = "2"
        case red = "31"
        case green = "32"
        case yellow = "33"
        case blue = "34"
        case cyan = "36"
        case bold = "1"
    }

    /// Writes `text` to standard output at once (no buffering), so a follower's lines appear immediately.
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
