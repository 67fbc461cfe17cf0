import CSQLite

/// SQLite's "copy the bytes now" destructor, which the C header defines as a macro Swift cannot import.
let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One open SQLite connection with a cache of prepared statements.
///
/// Not thread-safe on its own: `Database` hands it out under its lock, and nobody keeps it past that scope.
public final class Connection {
    let handle: OpaquePointer
    let path: String
    private var statements: [String: OpaquePointer] = [:]

    init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs one statement (or several separated by `;` when there are no bindings) and discards any rows.
    public func execute(_ sql: String, _ bindings: [SQLValue] = []) throws(EventsError) {
        if bindings.isEmpty, sql.contains(";") {
            let code = sqlite3_exec(handle, sql, nil, nil, nil)
            guard code == SQLITE_OK else { throw failure(code, "executing SQL") }
            return
        }
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(bindings, to: statement)
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            if code != SQLITE_ROW { throw failure(code, "executing SQL") }
        }
    }

    /// Runs a query and returns every row.
    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws(EventsError) -> [Row] {
        var rows: [Row] = []
        try forEachRow(sql, bindings) { rows.append($0) }
        return rows
    }

    /// Runs a query and calls `body` for each row as it is stepped, without collecting them.
    public func forEachRow(
        _ sql: String,
        _ bindings: [SQLValue] = [],
        _ body: (Row) throws(EventsError) -> Void
    ) throws(EventsError) {
        let statement = try prepared(sql)
        defer { sqlite3_reset(statement) }
        try bind(bindings, to: statement)
        let count = sqlite3_column_count(statement)
        let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(code, "reading rows") }
            let values = (0..<count).map { column(statement, $0) }
            try body(Row(columns: columns, values: values))
        }
    }

    /// The first column of the first row, or `.null` when there is no row.
    public func scalar(_ sql: String, _ bindings: [SQLValue] = []) throws(EventsError) -> SQLValue {
        try query(sql, bindings).first?.values.first ?? .null
    }

    /// The rowid of the last successful insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// How many rows the last statement changed.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Whether the connection is inside an open transaction.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    private func prepared(_ sql: String) throws(EventsError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw failure(code, "preparing SQL") }
        statements[sql] = statement
        return statement
    }

    private func bind(_ values: [SQLValue], to statement: OpaquePointer) throws(EventsError) {
        sqlite3_clear_bindings(statement)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(statement, index)
            case .integer(let number): code = sqlite3_bind_int64(statement, index, number)
            case .real(let number): code = sqlite3_bind_double(statement, index, number)
            case .text(let text): code = sqlite3_bind_text(statement, index, text, -1, SQLITE_TRANSIENT)
            case .blob(let bytes):
                code = bytes.withUnsafeBytes {
                    sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), SQLITE_TRANSIENT)
                }
            }
            guard code == SQLITE_OK else { throw failure(code, "binding parameter \(index)") }
        }
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, index) else { return .text("") }
            let length = Int(sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite3_column_bytes(statement, index))
            guard length > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default: return .null
        }
    }

    func failure(_ code: Int32, _ doing: String) -> EventsError {
        EventsError.sqlite(code, message: String(cString: sqlite3_errmsg(handle)), doing: doing, path: path)
    }
}

extension EventsError {
    /// Maps an SQLite result code into the module's error, naming the file and what was being done.
    static func sqlite(_ code: Int32, message: String, doing: String, path: String) -> EventsError {
        let primary = code & 0xff
        let mapped: Code
        let text: String
        switch primary {
        case SQLITE_BUSY, SQLITE_LOCKED:
            mapped = .busy
            text = "database \(path) is locked by another process (\(doing))"
        case SQLITE_FULL:
            mapped = .diskFull
            text = "disk full: cannot write \(path) (\(doing)); nothing was written, try again when space is free"
        case SQLITE_READONLY:
            mapped = .readOnly
            text = "database \(path) is read-only (\(doing)): \(message)"
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH:
            mapped = .cannotOpen
            text = "cannot open database \(path): \(message)"
        case SQLITE_CORRUPT, SQLITE_NOTADB:
            mapped = .corrupt
            text = "\(path) is not a usable database: \(message)"
        case SQLITE_CONSTRAINT:
            mapped = .constraint
            text = "constraint failed on \(path) (\(doing)): \(message)"
        case SQLITE_IOERR:
            mapped = .sqlite(primary)
            text = "I/O error on \(path) (\(doing)): \(message)"
        default:
            mapped = .sqlite(primary)
            text = "SQLite error \(code) on \(path) (\(doing)): \(message)"
        }
        return EventsError(mapped, text)
    }
}
