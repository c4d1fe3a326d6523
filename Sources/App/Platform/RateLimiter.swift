import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Fixed-window counters per client address. On SQLite (one instance) they live in this process's memory; on
/// PostgreSQL every instance counts in the shared `rate_limits` table (`SharedLimits`), so three instances behind a
/// proxy allow a client the limit once, not three times.
final class RateLimiter: Sendable {
    private let state = NIOLockedValueBox<(window: Int, counts: [String: Int])>((0, [:]))

    /// Counts one hit for `key`; false when the limit for the current minute is exceeded.
    func allow(_ key: String, limit: Int, now: Date) -> Bool {
        guard limit > 0 else { return true }
        let window = Int(now.timeIntervalSince1970 / 60)
        return state.withLockedValue { s in
            if s.window != window { s = (window, [:]) }
            let count = (s.counts[key] ?? 0) + 1
            s.counts[key] = count
            return count <= limit
        }
    }

    static func checkSubmission(_ req: Request) async throws {
        let app = req.application
        guard try await allow(req.clientAddress, app: app) else {
            throw AppError.tooMany("too many submissions from this address; try again in a minute")
        }
    }

    /// One hit of the submission limit for `key`, in memory on SQLite, in the shared table on PostgreSQL.
    static func allow(_ key: String, app: Application) async throws -> Bool {
        let limit = app.settings.submitRateLimit, now = app.clock.now
        guard limit > 0 else { return true }
        if app.usesSQLite { return app.submissionLimiter.allow(key, limit: limit, now: now) }
        return try await SharedLimits.hit("submit:\(key)", limit: limit, now: now, on: app.db as! any SQLDatabase)
    }
}

/// The limits of a PostgreSQL installation, shared by every instance through `rate_limits` (M025). Each check is one
/// statement, atomic under concurrent instances (`INSERT … ON CONFLICT DO UPDATE` locks the row).
enum SharedLimits {
    /// Counts one hit in `bucket`'s current one-minute window; false when it passes `limit`.
    static func hit(_ bucket: String, limit: Int, now: Date, on sql: any SQLDatabase) async throws -> Bool {
        let window = Int64(now.timeIntervalSince1970 / 60)
        let row = try await sql.raw("""
            INSERT INTO rate_limits (bucket, window_id, hits, tat) VALUES (\(bind: bucket), \(bind: window), 1, 0)
            ON CONFLICT (bucket) DO UPDATE SET
              hits = CASE WHEN rate_limits.window_id = EXCLUDED.window_id THEN rate_limits.hits + 1 ELSE 1 END,
              window_id = EXCLUDED.window_id
            RETURNING hits
            """).first()
        return try (row?.decode(column: "hits", as: Int.self) ?? Int.max) <= limit
    }

    /// Takes one request from an API key's bucket (the same rule as `APIKeyLimiter.take`: `limit` a minute, a burst
    /// of at most a minute's worth): nil when allowed, otherwise the whole seconds to wait.
    static func take(_ bucket: String, limit: Int, now: Date, on sql: any SQLDatabase) async throws -> Int? {
        guard limit > 0 else { return nil }
        let t = now.timeIntervalSince1970, interval = 60.0 / Double(limit)
        let taken = try await sql.raw("""
            INSERT INTO rate_limits (bucket, window_id, hits, tat) VALUES (\(bind: bucket), 0, 0, \(bind: t + interval))
            ON CONFLICT (bucket) DO UPDATE SET tat = GREATEST(rate_limits.tat, \(bind: t)) + \(bind: interval)
            WHERE GREATEST(rate_limits.tat, \(bind: t)) + \(bind: interval) - \(bind: t) <= 60.000001
            RETURNING tat
            """).first()
        guard taken == nil else { return nil }
        let tat = try await sql.raw("SELECT tat FROM rate_limits WHERE bucket = \(bind: bucket)").first()?.decode(column: "tat", as: Double.self) ?? t
        return max(1, Int((max(tat, t) + interval - t - 60.0).rounded(.up)))
    }

    static func reset(_ bucket: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM rate_limits WHERE bucket = \(bind: bucket)").run()
    }

    /// Forgets windows that ended and API-key buckets that are empty again (the worker's sweep): a row that is gone
    /// counts exactly as one that has expired.
    static func prune(now: Date, on sql: any SQLDatabase) async throws {
        let window = Int64(now.timeIntervalSince1970 / 60)
        try await sql.raw("""
            DELETE FROM rate_limits WHERE window_id < \(bind: window) AND tat < \(bind: now.timeIntervalSince1970)
            """).run()
    }
}

extension Application {
    private struct LimiterKey: StorageKey { typealias Value = RateLimiter }
    var submissionLimiter: RateLimiter {
        get { storage[LimiterKey.self]! }
        set { storage[LimiterKey.self] = newValue }
    }
}

extension Request {
    /// The client's address; `X-Forwarded-For` is believed only from ADUAN_TRUSTED_PROXIES, and only its last entry
    /// (the one the proxy added), across every such header: a proxy that appends its own header line beside one the
    /// client sent (HAProxy's `option forwardfor`) must not let the client choose its address.
    var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard application.settings.trustedProxies.contains(peer),
              let forwarded = headers["X-Forwarded-For"].last?.split(separator: ",").last else { return peer }
        return forwarded.trimmingCharacters(in: .whitespaces)
    }
}
