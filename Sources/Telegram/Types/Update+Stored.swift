import FoundationEssentials
import JSONSupport

#if canImport(Glibc)
    import Glibc
#endif

extension Update {
    /// Decodes an update stored as its raw JSON (`rawJSON`), as leniently as `getUpdates` does; `nil` when the
    /// text is not an update.
    public init?(storedJSON: String) {
        guard let value = try? JSONValue(parsing: storedJSON) else { return nil }
        self.init(json: value, decoder: JSONDecoder())
    }
}
