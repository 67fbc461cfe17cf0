import Foundation
import ModelAdapter

/// How an assistant message's tool calls are kept in `messages.tool_calls`: a JSON array of
/// `{"id", "name", "arguments"}`.
public enum StoredToolCalls {
    public static func encode(_ calls: [ToolCall]) -> String? {
        guard !calls.isEmpty else { return nil }
        let objects = calls.map { ["id": $0.id, "name": $0.name, "arguments": $0.arguments] }
        guard let data = try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The calls, or none when the text is absent or unreadable.
    public static func decode(_ text: String?) -> [ToolCall] {
        guard let text, let objects = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] else { return [] }
        return objects.compactMap { object in
            guard let id = object["id"] as? String, let name = object["name"] as? String else { return nil }
            return ToolCall(id: id, name: name, arguments: object["arguments"] as? String ?? "{}")
        }
    }
}
