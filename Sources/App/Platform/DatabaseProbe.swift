import Fluent
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLKit
import Vapor

/// Whether the database answers, for `/healthz` and the proxy's `/readyz`: `SELECT 1` within 2 s.
///
/// On PostgreSQL the probe keeps one connection of its own, outside the request pool. A check through the pool also
/// measured how busy the instance was: under a burst every pooled connection is in use, the check waited past its
/// 2 s, the proxy took a working instance out of rotation and answered everyone 503 until its checks passed again
/// (bench/cluster.py showed one instance shedding 48,657 of 48,761 submissions that way). Load is bounded by the
/// proxy's `maxconn` per instance; readiness answers only "can this instance reach its database". A connection the
/// server closed (a restart, a failover) is replaced on the next check, so the instance reports ready as soon as
/// PostgreSQL takes connections again. On SQLite, a file beside the process, the check runs on the pool.
actor DatabaseProbe {
    private let configuration: PostgresConnection.Configuration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private var connection: PostgresConnection?
    private var opened = 0
    private var closed = false

    init(configuration: PostgresConnection.Configuration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// `SELECT 1` on the probe's connection, opening a new one when there is none or the last was closed. A reused
    /// connection that fails is dropped and the query tried once more on a new one (the server may have closed it
    /// while it sat idle).
    func selectOne() async throws {
        guard !closed else { throw DeadlinePassed(seconds: 0) }
        if let existing = connection, !existing.isClosed {
            do { return try await run(on: existing) } catch { drop(existing) }
        }
        try await run(on: try await fresh())
    }

    private func run(on connection: PostgresConnection) async throws {
        _ = try await connection.query("SELECT 1", logger: logger).get()
    }

    private func fresh() async throws -> PostgresConnection {
        if let stale = connection { drop(stale) }
        opened += 1
        let made = try await PostgresConnection.connect(on: eventLoopGroup.any(), configuration: configuration, id: opened, logger: logger)
        if closed { try? await made.close(); throw DeadlinePassed(seconds: 0) }
        connection = made
        return made
    }

    /// The connection is kept until its close completes: PostgresNIO traps when a connection is released unclosed.
    private func drop(_ stale: PostgresConnection) {
        if connection === stale { connection = nil }
        stale.close().whenComplete { _ in withExtendedLifetime(stale) {} }
    }

    /// At shutdown: the connection closes and no new one is opened.
    func close() async {
        closed = true
        if let open = connection { connection = nil; try? await open.close() }
    }
}

extension Application {
    private struct ProbeKey: StorageKey { typealias Value = DatabaseProbe }

    /// Set at start-up when the database is PostgreSQL (storage is not safe to change once serving).
    var databaseProbe: DatabaseProbe? {
        get { storage[ProbeKey.self] }
        set { storage[ProbeKey.self] = newValue }
    }

    /// `SELECT 1` answered within 2 s: on the probe's own connection with PostgreSQL, on the pool with SQLite. Never
    /// hangs on a database that does not answer.
    func databaseReachable(on db: any Database) async -> Bool {
        do {
            if let probe = databaseProbe {
                try await withDeadline(2) { try await probe.selectOne() }
            } else {
                guard let sql = db as? any SQLDatabase else { return false }
                try await withDeadline(2) { try await sql.raw("SELECT 1").run() }
            }
            return true
        } catch {
            return false
        }
    }
}

/// Closes the probe's connection when the application stops.
struct DatabaseProbeShutdown: LifecycleHandler {
    func shutdownAsync(_ app: Application) async {
        await app.databaseProbe?.close()
    }
}
