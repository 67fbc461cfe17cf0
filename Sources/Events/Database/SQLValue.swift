/// A value bound to, or read from, an SQLite statement.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The integer, or `nil` for anything else.
    public var int64: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The text, or `nil` for anything else.
    public var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The number as a double, for integers and reals alike.
    public var double: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .real(let value): value
        default: nil
        }
    }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension SQLValue {
    /// An optional integer as a value, `NULL` when absent.
    public init(_ value: Int64?) { self = value.map(SQLValue.integer) ?? .null }
    /// An optional integer as a value, `NULL` when absent.
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    /// An optional text as a value, `NULL` when absent.
    public init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
}
