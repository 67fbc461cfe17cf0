import Events
import Foundation

extension TelegramDouble {
    /// Routes one HTTP request: `/bot<token>/<method>` to the API, `/_double/...` to the control endpoints.
    func handle(_ request: HTTPRequest) -> HTTPReply {
        if request.path.hasPrefix("/_double/") { return control(request) }
        guard let (token, method) = Self.route(request.path) else { return Self.failure(404, "Not Found") }
        if let expected = self.token, expected != token { return Self.failure(401, "Unauthorized") }
        var problems: [SpecViolation] = []
        var parameters: [String: JSONValue] = [:]
        var textFields: Set<String> = []
        if let query = request.query {
            guard let pairs = FormData.decode(query) else { return Self.failure(400, "Bad Request: invalid query string") }
            for (name, value) in pairs {
                parameters[name] = .string(value)
                textFields.insert(name)
            }
        }
        if !request.body.isEmpty {
            switch request.mediaType {
            case "application/json":
                if let object = (try? JSONParser.parse(request.body))?.objectValue {
                    parameters.merge(object) { _, body in body }
                } else {
                    problems.append(SpecViolation(method: method, path: "", problem: "the JSON body is not an object"))
                }
            case "application/x-www-form-urlencoded":
                guard let pairs = FormData.decode(String(decoding: request.body, as: UTF8.self)) else {
                    return Self.failure(400, "Bad Request: invalid form body")
                }
                for (name, value) in pairs {
                    parameters[name] = .string(value)
                    textFields.insert(name)
                }
            default:
                problems.append(SpecViolation(method: method, path: "", problem: "unsupported body type \(request.mediaType ?? "none")"))
            }
        }
        if let specification {
            let checked = specification.check(method: method, parameters: parameters, textFields: textFields)
            parameters = checked.parameters
            problems += checked.violations
        }
        let typedParameters = parameters
        let sequence = locked {
            state.violations += problems
            return state.record {
                TelegramRequestRecord(
                    sequence: $0, method: method, parameters: typedParameters, token: token, httpMethod: request.method,
                    contentType: request.mediaType, receivedAt: Date(), status: nil)
            }
        }
        let reply =
            problems.isEmpty
            ? answer(method, TelegramCall(parameters: parameters))
            : specification?.hasMethod(method) == false
                ? Self.failure(404, "Not Found") : Self.failure(400, Self.badRequestDescription(problems[0]))
        locked { state.setStatus(reply.action == .respond ? reply.status : nil, of: sequence) }
        return reply
    }

    /// Plays the scripted fault of the method, if any, then the method itself.
    private func answer(_ method: String, _ call: TelegramCall) -> HTTPReply {
        switch locked({ state.takeFault(for: method) }) {
        case nil: break
        case .slow(let delay):
            guard wait(for: delay) else { return .dropConnection }
        case .tooManyRequests(let seconds):
            return Self.failure(429, "Too Many Requests: retry after \(seconds)", parameters: ["retry_after": .int(Int64(seconds))])
        case .cantParseEntities:
            return Self.failure(400, TelegramFault.cantParseEntitiesDescription)
        case .messageNotModified:
            return Self.failure(400, TelegramFault.messageNotModifiedDescription)
        case .blockedByUser:
            return Self.failure(403, "Forbidden: bot was blocked by the user")
        case .chatNotFound:
            return Self.failure(400, "Bad Request: chat not found")
        case .migrated(let chatID):
            return Self.failure(
                400, "Bad Request: group chat was upgraded to a supergroup chat", parameters: ["migrate_to_chat_id": .int(chatID)])
        case .conflict:
            return Self.failure(409, Self.terminatedByOtherPoll)
        case .serverError(let status):
            return Self.failure(status, HTTPReply.reasonPhrase(status))
        case .badGateway:
            return .text(
                502,
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                contentType: "text/html")
        case .malformedBody:
            return Self.malformedBody
        case .dropConnection:
            return .dropConnection
        case .answerLost(let loss):
            let carriedOut = perform(method, call)
            switch loss {
            case .dropped: return .dropConnection
            case .late(let delay): return wait(for: delay) ? carriedOut : .dropConnection
            case .malformed: return Self.malformedBody
            }
        case .error(let status, let description, let retryAfter, let migrateTo):
            var parameters: [String: JSONValue] = [:]
            if let retryAfter { parameters["retry_after"] = .int(Int64(retryAfter)) }
            if let migrateTo { parameters["migrate_to_chat_id"] = .int(migrateTo) }
            return Self.failure(status, description, parameters: parameters)
        }
        return perform(method, call)
    }

    /// A 200 whose body is cut short: not JSON.
    static let malformedBody = HTTPReply.text(200, "{\"ok\":true,\"result\":", contentType: "application/json")

    /// Waits `delay` unless the double stops first; false when it stopped.
    func wait(for delay: Duration) -> Bool {
        let deadline = Date().addingTimeInterval(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
        return locked {
            while !state.stopped && Date() < deadline { _ = condition.wait(until: deadline) }
            return !state.stopped
        }
    }

    /// The token and the method of `/bot<token>/<method>`.
    static func route(_ path: String) -> (token: String, method: String)? {
        guard path.hasPrefix("/bot") else { return nil }
        let rest = path.dropFirst(4)
        guard let slash = rest.lastIndex(of: "/") else { return nil }
        let token = String(rest[..<slash]).removingPercentEncoding ?? String(rest[..<slash])
        let method = String(rest[rest.index(after: slash)...])
        guard !token.isEmpty, !method.isEmpty else { return nil }
        return (token, method)
    }

    /// The description Telegram gives for the first problem of a request.
    static func badRequestDescription(_ violation: SpecViolation) -> String {
        switch (violation.path, violation.problem) {
        case ("text", "required field is missing"): "Bad Request: message text is empty"
        case ("text", let problem) where problem.hasPrefix("is 0 "): "Bad Request: message text is empty"
        case ("text", let problem) where problem.contains("after entity parsing"): "Bad Request: message is too long"
        case (let field, "required field is missing"): "Bad Request: \(field) is empty"
        default: "Bad Request: \(violation.path) \(violation.problem)"
        }
    }

    static let terminatedByOtherPoll = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"

    /// An error envelope: `{"ok": false, "error_code", "description", "parameters"}`.
    static func failure(_ status: Int, _ description: String, parameters: [String: JSONValue] = [:]) -> HTTPReply {
        var body: [String: JSONValue] = ["ok": false, "error_code": .int(Int64(status)), "description": .string(description)]
        if !parameters.isEmpty { body["parameters"] = .object(parameters) }
        return .json(status, .object(body), headers: [("Server", "nginx")])
    }

    /// A success envelope: `{"ok": true, "result": ...}`.
    static func success(_ result: JSONValue) -> HTTPReply {
        .json(200, ["ok": true, "result": result], headers: [("Server", "nginx")])
    }
}
