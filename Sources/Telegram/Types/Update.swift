import FoundationEssentials
import JSONSupport

#if canImport(Glibc)
    import Glibc
#endif

/// An incoming update (`Update`): a message, an edited message or a button press, with the JSON it came as.
///
/// Decoding is lenient: an update whose content does not match these types still comes through with its
/// `updateID` and `rawJSON` (its content fields `nil`), so that one odd update cannot block the queue.
public struct Update: Sendable, Equatable {
    public var updateID: Int64
    public var message: Message?
    public var editedMessage: Message?
    public var callbackQuery: CallbackQuery?
    /// The update object exactly as Telegram sent it (compact JSON), for storing.
    public var rawJSON: String

    public init(
        updateID: Int64, message: Message? = nil, editedMessage: Message? = nil, callbackQuery: CallbackQuery? = nil, rawJSON: String
    ) {
        self.updateID = updateID
        self.message = message
        self.editedMessage = editedMessage
        self.callbackQuery = callbackQuery
        self.rawJSON = rawJSON
    }

    /// Reads one element of `getUpdates`' result; `nil` when it has no `update_id`.
    init?(json: JSONValue, decoder: JSONDecoder) {
        guard json.objectValue != nil, let id = json["update_id"]?.int64Value else { return nil }
        let rawJSON = json.serialized
        let content = try? decoder.decode(Content.self, from: Data(rawJSON.utf8))
        self.init(
            updateID: id, message: content?.message?.value, editedMessage: content?.editedMessage?.value,
            callbackQuery: content?.callbackQuery?.value, rawJSON: rawJSON)
    }

    /// The content fields, each decoded on its own so that one odd field does not hide the others.
    private struct Content: Decodable {
        var message: Lenient<Message>?
        var editedMessage: Lenient<Message>?
        var callbackQuery: Lenient<CallbackQuery>?

        enum CodingKeys: String, CodingKey {
            case message
            case editedMessage = "edited_message"
            case callbackQuery = "callback_query"
        }
    }

    /// A value that is `nil` when it does not decode, instead of failing its container.
    private struct Lenient<Value: Decodable>: Decodable {
        let value: Value?
        init(from decoder: any Decoder) throws { value = try? Value(from: decoder) }
    }
}
