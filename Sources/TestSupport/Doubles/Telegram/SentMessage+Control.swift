import Events

extension SentMessage {
    /// The message as `GET /_double/sent` lists it.
    var controlJSON: JSONValue {
        [
            "chat_id": .int(chatID), "message_id": .int(Int64(messageID)), "text": .string(text), "raw_text": .string(rawText),
            "parse_mode": JSONValue(parseMode), "reply_markup": replyMarkup ?? .null,
            "reply_to_message_id": JSONValue(replyToMessageID), "previous_texts": .array(previousTexts.map(JSONValue.string)),
        ]
    }
}
