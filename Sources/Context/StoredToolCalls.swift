import Foundation
import ModelAdapter

/// How an assistant message's tool calls are kept in `messages.tool_calls`: a JSON array of
/// `{"id", "name", "arguments"}`.
public enum StoredToolCalls {
    /// The calls, or none when the text is absent or unreadable.
    public static func decode(_ text: String?) -> [ToolCall] {
        guard let text, let objects = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] else { return [] }
        return objects.compactMap { object in
            guard let id = object["id"] as? String, let name = object["name"] as? String else { return nil }
            return ToolCall(id: id, name: name, arguments: object["arguments"] as? String ?? "{}")
        }
    }

    /// The JSON array of `calls`, or `nil` when there are none.
    public static func encode(_ calls: [ToolCall]) -> String? {
        guard !calls.isEmpty else { return nil }
        let array = JSONValue.array(
            calls.map { ["id": .string($0.id), "name": .string($0.name), "arguments": .string($0.arguments)] })
        return array.serialized
    }
}
