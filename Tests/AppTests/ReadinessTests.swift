import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import App

// Issue 18: the proxy's readiness check says whether the instance reaches its database, not how busy it is.
// bench/cluster.py found one instance behind HAProxy shedding almost every submission with the proxy's 503: its
// `SELECT 1` waited for a pooled connection past the 2 s deadline, the check failed, the proxy took the instance out.
@Suite("Readiness on PostgreSQL", .enabled(if: TestHarness.postgresURL != nil, "the probe's own connection exists on PostgreSQL only"))
struct ReadinessTests {
    @Test("/readyz and /healthz answer 200 while every pooled connection is busy for longer than the check's deadline")
    func busyPool() async throws {
        try await TestHarness.withApp { app in
            #expect(try await app.get("/readyz").0 == .ok)
            let sql = try #require(app.db as? any SQLDatabase)
            // Four connections per event loop (configure.swift): two sleepers more than the pool holds, each longer than
            // the check's 2 s deadline (and shorter than the pool's 10 s wait for a connection).
            let sleepers = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<(4 * System.coreCount + 2) { group.addTask { try await sql.raw("SELECT pg_sleep(3)").run() } }
                    try await group.waitForAll()
                }
            }
            try await Task.sleep(nanoseconds: 500_000_000)
            let (ready, body) = try await app.get("/readyz")
            #expect(ready == .ok, "a busy pool took the instance out of rotation: \(body)")
            #expect(try await app.get("/healthz").0 == .ok)
            try await sleepers.value
        }
    }

    @Test("after PostgreSQL closed every connection (a restart, a failover), the next check opens a new one and answers 200")
    func reconnects() async throws {
        try await TestHarness.withApp { app in
            #expect(try await app.get("/readyz").0 == .ok)
            let admin = try #require(TestHarness.postgresURL)
            let database = try #require(app.settings.databaseURL.flatMap { URL(string: $0)?.path.dropFirst() }.map(String.init))
            try await TestHarness.postgresAdmin(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()")
            try await Task.sleep(nanoseconds: 200_000_000)
            #expect(try await app.get("/readyz").0 == .ok)
            #expect(try await app.get("/healthz").0 == .ok)
        }
    }
}
