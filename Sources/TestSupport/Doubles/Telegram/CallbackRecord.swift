/// A callback query the double sent, and how the bot answered it.
struct CallbackRecord {
    let chatID: Int64
    let messageID: Int
    let data: String
    var answer: String?
}
