import Fluent
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import PostgresNIO
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

/// One transaction of its own, retried on write conflicts. On SQLite it first claims the one writer (`SQLiteWriter`),
/// waiting for another process's write rather than failing on a stale snapshot.
func withRetriedTransaction<T: Sendable>(_ db: any Database, attempts: Int = 4,
                                         _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
    var attempt = 0
    while true {
        attempt += 1
        do {
            if db is any PostgresDatabase { return try await PostgresTransaction.run(db, body) }
            return try await db.transaction { tx in
                try await SQLiteWriter.claim(tx)
                return try await body(tx)
            }
        } catch let error where SQLiteWriter.isTimeout(error) {
            throw SQLiteWriter.busy
        } catch let error where attempt < attempts && isWriteConflict(error) {
            try await Task.sleep(nanoseconds: UInt64(attempt) * 5_000_000)
        }
    }
}

/// A PostgreSQL write transaction that cannot hang when PostgreSQL closes its connection (a stop, a restart, a
/// failover). PostgresNIO 1.33 hands each statement to the connection's channel without a write promise: once the
/// channel has closed and its handlers are gone, a statement written then is dropped without a word and its result
/// never arrives. Fluent's own transaction writes `ROLLBACK` after the failed statement on exactly such a connection,
/// and a transaction's next statement after a pause in Swift code can meet it too: the request was never answered,
/// its pool connection never came back, and the worker stopped. So the transaction runs here on one connection
/// checked out of the pool: no `ROLLBACK` on a connection already closed (PostgreSQL rolled the transaction back when
/// the connection ended), and while it runs the connection is watched; once it has closed and the transaction has not
/// finished by itself within a second, it fails with `ConnectionLost` (a 503 with `Retry-After`), the connection goes
/// back to the pool, which drops it because it is closed, and the caller (a request, the worker's loop) goes on.
enum PostgresTransaction {
    struct ConnectionLost: Error, CustomStringConvertible {
        var description: String { "the PostgreSQL connection closed while a transaction was running on it" }
    }

    static let grace: UInt64 = 1_000_000_000
    static let poll: UInt64 = 50_000_000

    static func run<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if db.inTransaction { return try await body(db) }  // a part of the caller's transaction, as Fluent does
        return try await db.withConnection { conn in
            guard let pg = conn as? any PostgresDatabase, let sql = conn as? any SQLDatabase else {
                return try await conn.transaction(body)
            }
            let raw = try await pg.withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
            guard !raw.isClosed else { throw ConnectionLost() }
            return try await watching(raw) {
                try await sql.raw("BEGIN").run()
                do {
                    let result = try await body(conn)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    if !raw.isClosed { try? await sql.raw("ROLLBACK").run() }
                    throw error
                }
            }
        }
    }

    /// `work`'s own answer, or `ConnectionLost` once `connection` has been closed for `grace` without one.
    private static func watching<T: Sendable>(_ connection: PostgresConnection,
                                              _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let answered = NIOLockedValueBox(false)
            let finish: @Sendable (Result<T, any Error>) -> Void = { result in
                let first = answered.withLockedValue { done -> Bool in defer { done = true }; return !done }
                if first { continuation.resume(with: result) }
            }
            Task { do { finish(.success(try await work())) } catch { finish(.failure(error)) } }
            Task {
                while !answered.withLockedValue({ $0 }) && !connection.isClosed { try? await Task.sleep(nanoseconds: poll) }
                guard !answered.withLockedValue({ $0 }) else { return }
                try? await Task.sleep(nanoseconds: grace)  // a statement in flight normally fails by itself meanwhile
                finish(.failure(ConnectionLost()))
            }
        }
    }
}

/// SQLite's one writer is shared by every process of an installation: the server, a separate worker, and any `aduan`
/// command run beside them. Fluent begins a transaction deferred: one that reads first and then writes fails at once
/// with SQLITE_BUSY_SNAPSHOT (`busyInSnapshot: database is locked`) when another process committed in between, and
/// the driver's own busy handler spins without bound. So every write transaction first sets a bounded wait
/// (`ADUAN_DB_WAIT`) and takes the writer before its first read, as `BEGIN IMMEDIATE` would: it waits its turn and
/// then reads fresh data. When the writer is still held after the wait, the write fails with `busy` (a 503 with
/// `Retry-After` on a request, a clear message on a command).
enum SQLiteWriter {
    private static let waitSeconds = NIOLockedValueBox(30)

    /// How long a write waits for the writer; set from the settings at start-up.
    static var wait: Int {
        get { waitSeconds.withLockedValue { $0 } }
        set { waitSeconds.withLockedValue { $0 = newValue } }
    }

    /// Bounds how long statements on this connection wait for the writer (autocommit writes included).
    static func bound(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(wait * 1000))").run()
    }

    /// The first statements of a write transaction: the bounded wait, then the writer taken by a write that changes
    /// nothing (Fluent's migration table always exists once the schema does).
    static func claim(_ tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await bound(tx)
        try await sql.raw("UPDATE _fluent_migrations SET id = id WHERE 0").run()
    }

    /// The writer stayed taken for the whole wait (SQLITE_BUSY after the busy timeout). A stale snapshot
    /// (`busyInSnapshot`) is not one: that transaction is simply run again.
    static func isTimeout(_ error: any Error) -> Bool {
        if let e = error as? SQLiteError { return e.reason == .busy || e.reason == .busyTimeout }
        return false
    }

    static var busy: AppError {
        var error = AppError(status: .serviceUnavailable, code: "busy",
                             message: "the database is busy: another process held SQLite's writer for more than \(wait) s (ADUAN_DB_WAIT); try again in a moment")
        error.retryAfter = 5
        return error
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
                    try await SQLiteWriter.claim(tx)
                    for item in batch { try await item.run(tx) }
                }
                batch.forEach { $0.succeed() }
            } catch let error where SQLiteWriter.isTimeout(error) {
                // Another process kept the writer for the whole wait: each write alone would wait as long again.
                batch.forEach { $0.fail(SQLiteWriter.busy) }
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

/// A request that met its database out of reach — PostgreSQL stopped or restarting, its connections cut; SQLite's
/// file unreadable, or its writer held past the wait — is answered 503 with `Retry-After`, never a 500: nothing of it
/// was written, and the client (or the proxy) tries again. The connection pool opens new connections on the next
/// request, so an instance recovers by itself when the database is back.
enum DatabaseOutage {
    static let retryAfter = 5

    static func appError(for error: any Error) -> AppError? {
        if SQLiteWriter.isTimeout(error) { return SQLiteWriter.busy }
        guard isUnreachable(error) else { return nil }
        var outage = AppError(status: .serviceUnavailable, code: "unavailable",
                              message: "the database cannot be reached at the moment; try again shortly")
        outage.retryAfter = retryAfter
        return outage
    }

    static func isUnreachable(_ error: any Error) -> Bool {
        switch error {
        case let e as PSQLError:
            switch e.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return true
            case .server:
                // Connection exceptions (08…), an operator's shutdown or a server still starting (57P01-57P03), and
                // a server refusing new connections because all its slots are taken (53300 too_many_connections).
                let state = e.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state)
            default:
                return false
            }
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is PostgresTransaction.ConnectionLost:
            return true
        case let e as SQLiteError:
            return [.cantOpen, .ioError, .notADatabase, .corrupt, .locked, .busyInRecovery].contains(e.reason)
        default:
            // A refused or reset TCP connection surfaces as a NIO error before PostgreSQL answers at all.
            let text = String(reflecting: error)
            return text.contains("NIOConnectionError") || text.contains("connection refused") || text.contains("Connection refused")
                || text.contains("connectionReset") || text.contains("ECONNREFUSED")
        }
    }
}
