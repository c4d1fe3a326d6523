import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The one limiter in front of every guessable secret (issue 17): officer and reporter passwords (form and API
/// token), TOTP and recovery codes, the reporter's PIN (header or form). The counters live in the database
/// (`secret_attempts`), so every instance sharing it counts the same tries, and each try is reserved in one write
/// transaction (rows locked on PostgreSQL, the single writer on SQLite) *before* the secret is compared: a burst of
/// parallel requests can never check more secrets than the limit. `AttemptRule` in AduanCore decides.
///
/// Unguessable secrets (the 256-bit link secret, session cookies, API tokens, signed links) are compared in constant
/// time and need no counter.
enum SecretLimiter {
    /// What a check found. `counted` false: not a guess after all (a right password waiting for its second factor).
    struct Outcome<T> {
        var value: T
        var counted: Bool
        static func right(_ value: T) -> Outcome { Outcome(value: value, counted: false) }
        static func wrong(_ value: T) -> Outcome { Outcome(value: value, counted: true) }
    }

    /// Runs `check` only when every bucket has room for one more try, and throws 429 (`locked`) otherwise without
    /// running it. A counted outcome keeps its try; an uncounted one gives it back.
    static func guarded<T>(_ buckets: [AttemptBucket], app: Application, _ check: () async throws -> Outcome<T>) async throws -> T {
        let reservation = try await reserve(buckets, app: app)
        guard reservation.allowed else {
            var error = AppError(status: .tooManyRequests, code: "locked", message: "too many wrong tries; try again later")
            error.retryAfter = Int(reservation.retryAfter)
            throw error
        }
        let outcome = try await check()
        if !outcome.counted { try await release(buckets, app: app) }
        return outcome.value
    }

    static func now(_ app: Application) -> Int64 { Int64(app.clock.now.timeIntervalSince1970.rounded(.down)) }

    /// One try in every bucket, in one transaction; nothing is counted when any bucket is full.
    static func reserve(_ buckets: [AttemptBucket], app: Application) async throws -> (allowed: Bool, retryAfter: Int64) {
        let now = now(app)
        let ordered = buckets.sorted { $0.key < $1.key }
        return try await withWriteTransaction(app) { db in
            let sql = db as! any SQLDatabase
            for bucket in ordered {
                try await sql.raw("""
                    INSERT INTO secret_attempts (bucket, subject, failures, window_ends) VALUES (\(bind: bucket.key), \(bind: bucket.subject), 0, 0)
                    ON CONFLICT (bucket) DO NOTHING
                    """).run()
            }
            let counters = try await read(ordered.map(\.key), locking: true, on: sql)
            let decision = AttemptRule.reserve(counters, in: ordered, now: now)
            for (key, counter) in decision.counters.sorted(by: { $0.key < $1.key }) where counter != counters[key] {
                try await write(key, counter, on: sql)
            }
            return (decision.allowed, decision.retryAfter)
        }
    }

    /// Gives back one try in every bucket (a right answer).
    static func release(_ buckets: [AttemptBucket], app: Application) async throws {
        let now = now(app)
        let ordered = buckets.sorted { $0.key < $1.key }
        try await withWriteTransaction(app) { db in
            let sql = db as! any SQLDatabase
            let counters = try await read(ordered.map(\.key), locking: true, on: sql)
            for bucket in ordered {
                if let counter = counters[bucket.key], let released = AttemptRule.release(counter, now: now) {
                    try await write(bucket.key, released, on: sql)
                }
            }
        }
    }

    static func read(_ keys: [String], locking: Bool, on sql: any SQLDatabase) async throws -> [String: AttemptCounter] {
        let lock = locking && sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let rows = try await sql.raw("""
            SELECT bucket, failures, window_ends FROM secret_attempts WHERE bucket IN (\(binds: keys)) ORDER BY bucket\(unsafeRaw: lock)
            """).all()
        var counters: [String: AttemptCounter] = [:]
        for row in rows {
            counters[try row.decode(column: "bucket", as: String.self)] =
                AttemptCounter(failures: try row.decode(column: "failures", as: Int.self), windowEnds: try row.decode(column: "window_ends", as: Int64.self))
        }
        return counters
    }

    static func write(_ key: String, _ counter: AttemptCounter, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE secret_attempts SET failures = \(bind: counter.failures), window_ends = \(bind: counter.windowEnds) WHERE bucket = \(bind: key)
            """).run()
    }

    /// The counter of one bucket as stored (for the administrator's view of an account).
    static func counter(_ key: String, on db: any Database) async throws -> AttemptCounter? {
        try await read([key], locking: false, on: db as! any SQLDatabase)[key]
    }

    /// Forgets every bucket of a subject (an administrator unlocks an account, a password is set on the server).
    static func clear(subject: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("DELETE FROM secret_attempts WHERE subject = \(bind: subject)").run()
    }

    /// Drops counters whose window ended a day ago (the worker's sweep), so the table holds only live counts.
    static func prune(app: Application) async throws {
        let cutoff = now(app) - 86_400
        try await withWriteTransaction(app) { db in
            try await (db as! any SQLDatabase).raw("DELETE FROM secret_attempts WHERE window_ends < \(bind: cutoff)").run()
        }
    }
}

extension Request {
    /// The client address as the limiter counts it: IPv4, or the /64 network of IPv6 (`ClientAddress.bucket`).
    var clientBucket: String { ClientAddress.bucket(clientAddress) }
}

/// The subjects whose secrets are guarded, as the limiter names them.
enum SecretSubject {
    /// An officer account by the username typed (known or not: an unknown name is limited exactly like a known one).
    static func officer(_ username: String) -> String { "officer:" + username.lowercased() }
    /// A reporter account by the keyed hash of its e-mail address.
    static func reporter(emailHash: String) -> String { "reporter:" + emailHash }
    /// The PIN of one complaint, by the tracking ID asked for (known or not).
    static func complaint(_ trackingID: String) -> String { "complaint:" + trackingID }

    static func signIn(_ subject: String, _ req: Request) -> [AttemptBucket] {
        SecretPolicy.signIn.buckets(subject: subject, address: req.clientBucket)
    }

    /// The stored subject of a sign-in subject's buckets (`SecretPolicy.buckets`), for `SecretLimiter.clear`.
    static func stored(_ policy: SecretPolicy, _ subject: String) -> String { "\(policy.family):\(subject)" }
}
