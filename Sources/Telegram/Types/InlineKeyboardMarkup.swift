/// Buttons shown under a message (`InlineKeyboardMarkup`).
public struct InlineKeyboardMarkup: Codable, Sendable, Equatable {
    /// One button (`InlineKeyboardButton`): exactly one of `callbackData` and `url` is set.
    public struct Button: Codable, Sendable, Equatable {
        public var text: String
        /// Sent back in a callback query when pressed; 1 to 64 bytes.
        public var callbackData: String?
        public var url: String?

        /// A button that sends `data` back when pressed.
        public init(text: String, callbackData: String) {
            self.text = text
            self.callbackData = callbackData
        }

        /// A button that opens `url`.
        public init(text: String, url: String) {
            self.text = text
            self.url = url
        }

        enum CodingKeys: String, CodingKey {
            case text, url
            case callbackData = "callback_data"
        }
    }

    /// Rows of buttons.
    public var inlineKeyboard: [[Button]]

    public init(_ rows: [[Button]]) { self.inlineKeyboard = rows }

    enum CodingKeys: String, CodingKey {
        case inlineKeyboard = "inline_keyboard"
    }
}
