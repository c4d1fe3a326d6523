import Fluent
import FluentSQLiteDriver
import SQLKit
import Vapor

extension Application {
    private struct WriterLoopKey: StorageKey { typealias Value = any EventLoop }
    private struct IsSQLiteKey: StorageKey { typealias Value = Bool }

    var usesSQLite: Bool {
        get { storage[IsSQLiteKey.self] ?? true }
        set { storage[IsSQLiteKey.self] = newValue }
    }

    /// The database handle for writes. SQLite has one writer at a time, so every write goes through the one
    /// connection of a fixed event loop and queues there instead of failing with SQLITE_BUSY.
    var writeDB: any Database {
        guard usesSQLite else { return db }
        if storage[WriterLoopKey.self] == nil { storage[WriterLoopKey.self] = eventLoopGroup.next() }
        return databases.database(logger: logger, on: storage[WriterLoopKey.self]!)!
    }

    /// Pins the SQLite writer loop at start-up (storage is not safe to mutate concurrently later).
    func prepareWriter() {
        if usesSQLite && storage[WriterLoopKey.self] == nil { storage[WriterLoopKey.self] = eventLoopGroup.next() }
    }
}

extension Request {
    var writeDB: any Database { application.writeDB }
}

/// Runs `body` in a transaction, retrying when a concurrent writer got there first (unique `(complaint_id, seq)`
/// or SQLite busy); the whole read-decide-write runs again on fresh data.
func withWriteTransaction<T: Sendable>(_ db: any Database, attempts: Int = 4,
                                       _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
    var attempt = 0
    while true {
        attempt += 1
        do {
            return try await db.transaction { tx in
                if let sql = tx as? any SQLDatabase, sql.dialect.name == "sqlite" {
                    try await sql.raw("PRAGMA busy_timeout = 5000").run()
                }
                return try await body(tx)
            }
        } catch let error where attempt < attempts && isWriteConflict(error) {
            try await Task.sleep(nanoseconds: UInt64(attempt) * 5_000_000)
        }
    }
}

func isWriteConflict(_ error: any Error) -> Bool {
    if let db = error as? any DatabaseError, db.isConstraintFailure { return true }
    let text = String(describing: error).lowercased()
    return text.contains("database is locked") || text.contains("busy") || text.contains("unique")
        || text.contains("duplicate key") || text.contains("could not serialize")
}

extension DatabaseID {
    /// The one database of an installation, SQLite or PostgreSQL.
    static let main = DatabaseID(string: "main")
}
