import Events

/// The control endpoints under `/_double/`, for a double in another process (`agent-doubles`):
///
/// - `POST /_double/answers` one answer or a list (see `OpenAIAnswer.init(control:)`)
/// - `GET /_double/requests` (the bodies), `GET /_double/violations`
extension OpenAIDouble {
    func control(_ request: HTTPRequest) -> HTTPReply {
        switch (request.method, request.path) {
        case ("POST", "/_double/answers"):
            do throws(DoubleError) {
                guard let body = try? JSONParser.parse(request.body) else { throw DoubleError(.invalidScript, "the body is not JSON") }
                for item in body.arrayValue ?? [body] { enqueue(try OpenAIAnswer(control: item)) }
                return .json(200, ["scripted": .int(Int64(scriptedCount))])
            } catch {
                return .json(400, ["error": .string(error.message)])
            }
        case ("GET", "/_double/requests"):
            return .json(200, .array(requests.map { ["body": $0.body, "status": JSONValue($0.status)] }))
        case ("GET", "/_double/violations"):
            return .json(200, .array(violations.map { .string($0.description) }))
        default:
            return .json(404, ["error": "no such control endpoint"])
        }
    }
}
