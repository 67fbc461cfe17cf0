/// Learns the arguments of a `ToolInput` by running its `Decodable` initializer against a recording decoder.
///
/// Two passes: in the first every key is absent, so only the required properties ask for a value; in the second
/// every key is present, so every property says its type. No value of a real input ever goes through it.
enum SchemaProbe {
    /// One argument as the type's decoding sees it.
    struct Argument: Equatable {
        let name: String
        let type: InputSchema.ValueType
        let required: Bool
    }

    /// The arguments of `Input`, keyed by name.
    static func arguments<Input: ToolInput>(of input: Input.Type) -> [String: Argument] {
        let required = Recorder(present: false)
        _ = try? Input(from: ProbeDecoder(recorder: required))
        let all = Recorder(present: true)
        _ = try? Input(from: ProbeDecoder(recorder: all))
        precondition(all.unsupported.isEmpty, "\(Input.self): unsupported argument types for \(all.unsupported.sorted())")
        var arguments: [String: Argument] = [:]
        for (name, type) in all.types {
            arguments[name] = Argument(name: name, type: type, required: required.types[name] != nil)
        }
        return arguments
    }

    final class Recorder {
        let present: Bool
        var types: [String: InputSchema.ValueType] = [:]
        var unsupported: Set<String> = []

        init(present: Bool) { self.present = present }
    }

    struct ProbeFailure: Error {}

    struct ProbeDecoder: Decoder {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(ProbeContainer<Key>(recorder: recorder))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw ProbeFailure() }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { throw ProbeFailure() }
    }

    struct ProbeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: Recorder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { recorder.present }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        private func record<T>(_ key: Key, _ type: InputSchema.ValueType, _ value: T) -> T {
            recorder.types[key.stringValue] = type
            return value
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { record(key, .boolean, false) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { record(key, .string, "") }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { record(key, .number, 0) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { record(key, .number, 0) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { record(key, .integer, 0) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { record(key, .integer, 0) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { record(key, .integer, 0) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { record(key, .integer, 0) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { record(key, .integer, 0) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { record(key, .integer, 0) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { record(key, .integer, 0) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { record(key, .integer, 0) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { record(key, .integer, 0) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { record(key, .integer, 0) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            recorder.unsupported.insert(key.stringValue)
            throw ProbeFailure()
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<
            NestedKey
        > {
            recorder.unsupported.insert(key.stringValue)
            throw ProbeFailure()
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            recorder.unsupported.insert(key.stringValue)
            throw ProbeFailure()
        }

        func superDecoder() throws -> any Decoder { throw ProbeFailure() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw ProbeFailure() }
    }
}
