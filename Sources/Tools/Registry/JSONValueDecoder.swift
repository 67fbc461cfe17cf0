import Events

/// Decodes a `ToolInput` straight from the arguments that passed the schema, without printing and parsing them
/// again: a flat object of strings, integers, numbers and booleans (what `SchemaProbe` allows).
struct JSONValueDecoder: Decoder {
    let object: JSONObject
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Container<Key>(object: object))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "the arguments are an object"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "the arguments are an object"))
    }

    struct Container<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: JSONObject
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }

        func decodeNil(forKey key: Key) throws -> Bool { (object[key.stringValue] ?? .null) == .null }

        private func value<T>(_ key: Key, _ type: T.Type, _ extract: (JSONValue) -> T?) throws -> T {
            guard let raw = object[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "missing \(key.stringValue)"))
            }
            guard let value = extract(raw) else {
                throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "\(key.stringValue) is not a \(type)"))
            }
            return value
        }

        private func integer<T: FixedWidthInteger>(_ key: Key, _ type: T.Type) throws -> T {
            try value(key, type) { $0.int64Value.flatMap { T(exactly: $0) } }
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key, type) { $0.boolValue } }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key, type) { $0.stringValue } }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key, type) { $0.doubleValue } }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(key, type) { $0.doubleValue.map(Float.init) } }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key, type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key, type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key, type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key, type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key, type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key, type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key, type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key, type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key, type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key, type) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "nested values are not tool arguments"))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<
            NestedKey
        > {
            throw DecodingError.typeMismatch(type, .init(codingPath: [key], debugDescription: "nested values are not tool arguments"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "nested values are not tool arguments"))
        }

        func superDecoder() throws -> any Decoder { JSONValueDecoder(object: object) }
        func superDecoder(forKey key: Key) throws -> any Decoder { JSONValueDecoder(object: object) }
    }
}
