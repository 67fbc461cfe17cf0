import Events
import Foundation

/// Where the committed API specifications are: `specs/` at the root of the checkout, or `AGENT_SPECS_DIR`.
public enum SpecificationFiles {
    /// The folder holding `telegram-bot-api.json` and `openai-openapi.json`.
    public static var directory: String {
        if let override = ProcessInfo.processInfo.environment["AGENT_SPECS_DIR"], !override.isEmpty { return override }
        return "\(Repository.root)/specs"
    }

    /// Parses the specification file `name`.
    /// - Throws: `DoubleError` `.specificationUnavailable` when it is missing or is not JSON.
    static func load(_ name: String) throws(DoubleError) -> JSONValue {
        let path = "\(directory)/\(name)"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DoubleError(.specificationUnavailable, "cannot read \(path) (set AGENT_SPECS_DIR to the specs folder)")
        }
        do {
            return try JSONParser.parse(Array(data))
        } catch {
            throw DoubleError(.specificationUnavailable, "\(path) is not JSON: \(error)")
        }
    }
}
