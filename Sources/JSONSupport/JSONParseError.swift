/// Text that is not JSON: what is wrong, and where (`JSONValue(parsing:)`).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The byte offset in the UTF-8 text.
    public let offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "not JSON: \(message) at byte \(offset)" }
}
