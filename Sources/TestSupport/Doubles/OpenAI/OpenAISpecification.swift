import Events

/// The `CreateChatCompletionRequest` schema of `specs/openai-openapi.json`, and the check of a request body (and of
/// a streamed answer's chunks, `CreateChatCompletionStreamResponse`).
///
/// Beyond the schema, it checks what the document states in words: tool function names are 1-64 of
/// `a-zA-Z0-9_-`.
public final class OpenAISpecification: Sendable {
    private let validator: JSONSchemaValidator
    private let chunkValidator: JSONSchemaValidator
    /// The document's `info.version`.
    public let version: String

    /// The specification of the checkout, parsed once per process.
    public static func shared() throws(DoubleError) -> OpenAISpecification { try cached.get() }

    private static let cached = Result { () throws(DoubleError) -> OpenAISpecification in
        try OpenAISpecification(document: try SpecificationFiles.load("openai-openapi.json"))
    }

    init(document: JSONValue) throws(DoubleError) {
        guard let schemas = document["components"]?["schemas"], schemas["CreateChatCompletionRequest"] != nil else {
            throw DoubleError(.specificationUnavailable, "openai-openapi.json has no CreateChatCompletionRequest schema")
        }
        validator = JSONSchemaValidator(
            schema: ["$ref": "#/components/schemas/CreateChatCompletionRequest"], schemas: schemas.objectValue ?? [:])
        chunkValidator = JSONSchemaValidator(
            schema: ["$ref": "#/components/schemas/CreateChatCompletionStreamResponse"], schemas: schemas.objectValue ?? [:])
        version = document["info"]?["version"]?.stringValue ?? "unknown"
    }

    /// Every problem of one chunk of a streamed answer (`CreateChatCompletionStreamResponse`); empty when valid.
    public func checkStreamChunk(_ chunk: JSONValue) -> [SpecViolation] {
        chunkValidator.problems(chunk).map { SpecViolation(method: "createChatCompletion (stream chunk)", path: $0.0, problem: $0.1) }
    }

    /// Every problem of a chat-completions request body; empty when it is valid.
    public func check(_ body: JSONValue) -> [SpecViolation] {
        var problems = validator.problems(body)
        for (index, tool) in (body["tools"]?.arrayValue ?? []).enumerated() {
            guard let name = tool["function"]?["name"]?.stringValue else { continue }
            let allowed = name.unicodeScalars.allSatisfy {
                ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" || $0 == "-"
            }
            if name.isEmpty || name.count > 64 || !allowed {
                problems.append(("tools[\(index)].function.name", "must be 1-64 of a-z, A-Z, 0-9, _ and -"))
            }
        }
        return problems.map { SpecViolation(method: "createChatCompletion", path: $0.0, problem: $0.1) }
    }
}
