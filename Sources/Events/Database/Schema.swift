/// The schema of the shared database and its migrations, applied by every writer at open.
public enum Schema {
    /// One step of the schema: the version it brings and the statements that bring it.
    struct Migration {
        let version: SchemaVersion
        let sql: String
    }

    /// The version this build of the programs writes.
    public static var current: SchemaVersion { migrations.last!.version }

    /// Every step, oldest first. A released step is never edited; a change is a new step.
    static let migrations: [Migration] = [
        Migration(version: SchemaVersion(major: 1, minor: 0), sql: version1_0),
        Migration(version: SchemaVersion(major: 1, minor: 1), sql: version1_1),
    ]

    /// Applies every missing step in one transaction; a no-op when the file is current or a newer minor.
    ///
    /// - Throws: `.newerMajorSchema` when the file's major version is above this program's.
    static func migrate(_ connection: Connection) throws(EventsError) {
        try connection.execute("BEGIN IMMEDIATE")
        do throws(EventsError) {
            let found = try storedVersion(connection)
            try refuseNewerMajor(found, path: connection.path)
            for migration in migrations where migration.version > found {
                try connection.execute(migration.sql)
            }
            if found < current {
                try connection.execute("PRAGMA user_version = \(current.userVersion)")
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// Checks that a reader can make sense of the file without changing it.
    static func checkReadable(_ connection: Connection) throws(EventsError) {
        let found = try storedVersion(connection)
        if found.userVersion == 0 {
            throw EventsError(.notInitialized, "\(connection.path) has no schema yet: no agent program has written to it")
        }
        try refuseNewerMajor(found, path: connection.path)
    }

    /// The version stored in the file.
    public static func storedVersion(_ connection: Connection) throws(EventsError) -> SchemaVersion {
        SchemaVersion(userVersion: try connection.scalar("PRAGMA user_version").int64 ?? 0)
    }

    private static func refuseNewerMajor(_ found: SchemaVersion, path: String) throws(EventsError) {
        guard found.major > current.major else { return }
        throw EventsError(
            .newerMajorSchema,
            "\(path) has schema \(found), newer than the \(current) this program knows; use a newer build of the programs"
        )
    }

    private static let version1_0 = """
        CREATE TABLE IF NOT EXISTS events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ts INTEGER NOT NULL,
            kind TEXT NOT NULL,
            parent_id INTEGER REFERENCES events(id),
            run_id INTEGER,
            source TEXT NOT NULL,
            pid INTEGER,
            rev TEXT,
            instance INTEGER,
            chat_id INTEGER,
            level TEXT NOT NULL DEFAULT 'info',
            payload TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX IF NOT EXISTS events_kind ON events(kind, id);
        CREATE INDEX IF NOT EXISTS events_parent ON events(parent_id, kind) WHERE parent_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS events_run ON events(run_id, id) WHERE run_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS events_chat ON events(chat_id, id) WHERE chat_id IS NOT NULL;

        CREATE TABLE IF NOT EXISTS inbox (
            id INTEGER PRIMARY KEY,
            bot_id INTEGER NOT NULL,
            update_id INTEGER NOT NULL,
            chat_id INTEGER,
            user_id INTEGER,
            raw TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'received'
                CHECK (status IN ('received', 'processing', 'done', 'failed', 'rejected')),
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            received_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (bot_id, update_id)
        );
        CREATE INDEX IF NOT EXISTS inbox_status ON inbox(status, id);

        CREATE TABLE IF NOT EXISTS chat_sessions (
            chat_id INTEGER PRIMARY KEY,
            started_after_message_id INTEGER NOT NULL DEFAULT 0,
            started_at INTEGER NOT NULL
        );

        CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
            content TEXT NOT NULL DEFAULT '',
            tool_calls TEXT,
            tool_call_id TEXT,
            tool_name TEXT,
            run_id INTEGER,
            inbox_id INTEGER REFERENCES inbox(id),
            ts INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS messages_chat ON messages(chat_id, id);

        CREATE TABLE IF NOT EXISTS outbox (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('reply', 'notice')),
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            message_id INTEGER,
            part INTEGER NOT NULL DEFAULT 1,
            parts INTEGER NOT NULL DEFAULT 1,
            parse_mode TEXT,
            reply_to_message_id INTEGER,
            reply_markup TEXT,
            run_id INTEGER,
            inbox_id INTEGER REFERENCES inbox(id),
            assistant_message_id INTEGER REFERENCES messages(id),
            error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS outbox_status ON outbox(status, id);

        CREATE TABLE IF NOT EXISTS artifacts (
            id INTEGER PRIMARY KEY,
            rev TEXT,
            status TEXT NOT NULL CHECK (status IN (
                'building', 'build_failed', 'test_failed', 'check_failed', 'staged', 'approved', 'rejected',
                'deploying', 'promoted', 'rolled_back')),
            source_commit TEXT,
            patch_sha256 TEXT,
            path TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            reason TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS artifacts_rev ON artifacts(rev);
        """

    /// `telegram_offset` reads the bot's last inserted row: one index step instead of a sort of the bot's rows.
    private static let version1_1 = """
        CREATE INDEX IF NOT EXISTS inbox_bot_order ON inbox(bot_id, id);
        """
}
