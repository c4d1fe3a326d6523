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

    /// Pins the SQLite writer loop and its group-commit queue at start-up (storage is not safe to mutate later).
    func prepareWriter() {
        if usesSQLite && storage[WriterLoopKey.self] == nil { storage[WriterLoopKey.self] = eventLoopGroup.next() }
        writeQueue = WriteQueue(database: { [unowned self] in self.writeDB })
    }
}

extension Request {
    var writeDB: any Database { application.writeDB }
}

/// Runs `body` in a write transaction and returns once it is durably committed, retrying when a concurrent writer got
/// there first (unique `(complaint_id, seq)`, SQLite busy): the whole read-decide-write runs again on fresh data.
/// On SQLite the work joins the group-commit queue, so many writers share one fsync.
func withWriteTransaction<T: Sendable>(_ app: Application, attempts: Int = 4,
                                       _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
    if app.usesSQLite { return try await app.writeQueue.run(body) }
    return try await withRetriedTransaction(app.writeDB, attempts: attempts, body)
}

/// One transaction of its own, retried on write conflicts.
func withRetriedTransaction<T: Sendable>(_ db: any Database, attempts: Int = 4,
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

/// Group commit for the single SQLite writer: writes that arrive while a transaction is committing wait and then
/// commit together in the next one, so a burst of submissions costs one fsync instead of one each. Nobody is
/// answered before the transaction holding their write has committed. When a batch fails, each of its writes is
/// run again alone, so one bad write never takes the others down.
actor WriteQueue {
    private struct Item {
        let run: @Sendable (any Database) async throws -> Void
        let succeed: @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
        let alone: @Sendable () async -> Void
    }

    private let database: @Sendable () -> any Database
    private var pending: [Item] = []
    private var draining = false
    static let maxBatch = 128

    init(database: @escaping @Sendable () -> any Database) { self.database = database }

    func run<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let box = ResultBox<T>()
        let db = database
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let item = Item(
                run: { tx in box.value = try await body(tx) },
                succeed: { continuation.resume(returning: box.value!) },
                fail: { continuation.resume(throwing: $0) },
                alone: {
                    do { continuation.resume(returning: try await withRetriedTransaction(db(), body)) }
                    catch { continuation.resume(throwing: error) }
                })
            pending.append(item)
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maxBatch))
            pending.removeFirst(batch.count)
            if batch.count == 1 {
                await batch[0].alone()
                continue
            }
            do {
                try await database().transaction { tx in
                    if let sql = tx as? any SQLDatabase { try await sql.raw("PRAGMA busy_timeout = 5000").run() }
                    for item in batch { try await item.run(tx) }
                }
                batch.forEach { $0.succeed() }
            } catch {
                for item in batch { await item.alone() }
            }
        }
        draining = false
    }
}

/// Carries one write's result out of the shared transaction until it has committed.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    var value: T?
}

extension Application {
    private struct WriteQueueKey: StorageKey { typealias Value = WriteQueue }
    var writeQueue: WriteQueue {
        get { storage[WriteQueueKey.self]! }
        set { storage[WriteQueueKey.self] = newValue }
    }
}

func isWriteConflict(_ error: any Error) -> Bool {
    if let db = error as? any DatabaseError, db.isConstraintFailure { return true }
    let text = String(describing: error).lowercased()
    return text.contains("database is locked") || text.contains("busy") || text.contains("unique")
        || text.contains("duplicate key") || text.contains("could not serialize")
        // PostgreSQL's deadlock detector (40P01): two transactions of several complaints (a merge) may take the
        // monev counters' row locks in crossing orders; one is rolled back and tried again.
        || text.contains("deadlock") || text.contains("40p01")
}

extension DatabaseID {
    /// The one database of an installation, SQLite or PostgreSQL.
    static let main = DatabaseID(string: "main")
}
