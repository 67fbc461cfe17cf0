import Foundation

extension Update {
    /// Decodes an update stored as its raw JSON (`rawJSON`), as leniently as `getUpdates` does; `nil` when the
    /// text is not an update.
    public init?(storedJSON: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(storedJSON.utf8)) else { return nil }
        self.init(json: object, decoder: JSONDecoder())
    }
}
