import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// An integration's key. The key itself is shown once at creation; only its SHA-256 is kept.
final class APIKey: Model, @unchecked Sendable {
    static let schema = "api_keys"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "key_hash") var keyHash: String
    /// Comma-separated `APIKeyScope` codes.
    @Field(key: "scopes") var scopes: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @Field(key: "use_count") var useCount: Int
    @Field(key: "active") var active: Bool
    /// Requests a minute; 0 = unlimited.
    @Field(key: "rate_limit") var rateLimit: Int
    /// The jurisdiction (`63`) or unit (`63/dinkes`) a `read-scope` or `act` key is bound to.
    @OptionalField(key: "scope") var scope: String?
    /// Requests refused: over the rate limit, or outside the key's scopes.
    @Field(key: "refused_count") var refusedCount: Int

    init() {}

    var scopeSet: Set<APIKeyScope> { Set(scopes.split(separator: ",").compactMap { APIKeyScope(rawValue: String($0)) }) }
    var boundScope: Scope? { scope.flatMap(Scope.init) }
}

/// One key's counts on one day (the installation's local day).
final class APIKeyUsage: Model, @unchecked Sendable {
    static let schema = "api_key_usage"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "key_id") var keyID: UUID
    @Field(key: "day") var day: String
    @Field(key: "uses") var uses: Int
    @Field(key: "refused") var refused: Int

    init() {}
}

/// What a key may do (issue 8): submit complaints, read public data, read within its bound scope, act for its unit.
enum APIKeyScope: String, Sendable, CaseIterable, Comparable {
    case submit, readPublic = "read-public", readScope = "read-scope", act

    static func < (a: APIKeyScope, b: APIKeyScope) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// An accepted key, for the rest of the request.
struct APIKeyPrincipal: Sendable {
    var id: UUID
    var name: String
    var scopes: Set<APIKeyScope>
    var bound: Scope?

    /// How the key appears as the actor of events it causes.
    var actorID: String { "apikey:\(id.uuidString.lowercased())" }

    /// What a `read-scope` or `act` key may read; nil for other keys.
    func readFilter(tree: OrgTree) -> ReadFilter? {
        guard let bound, scopes.contains(.readScope) || scopes.contains(.act) else { return nil }
        return Access.integrationReadFilter(bound: bound, tree: tree)
    }

    /// The officer an `act` key bound to a unit stands in for: that unit's liaison, limited by the caller to
    /// `Access.integrationActions`.
    var actingOfficer: Officer? {
        guard scopes.contains(.act), case .unit(let unit)? = bound else { return nil }
        return Officer(id: actorID, assignments: [RoleAssignment(role: .liaison, scope: .unit(unit))])
    }
}

extension Request {
    private struct APIKeyPrincipalKey: StorageKey { typealias Value = APIKeyPrincipal }
    /// The API key this request was accepted with (by `APIKeyGate`), if any.
    var apiKey: APIKeyPrincipal? {
        get { storage[APIKeyPrincipalKey.self] }
        set { storage[APIKeyPrincipalKey.self] = newValue }
    }
}

/// Per-key request limits, in memory: a token bucket per key (the generic cell rate algorithm) holding `limit`
/// requests and refilled at `limit` a minute. Used on SQLite (one instance); on PostgreSQL every instance takes from the
/// same bucket in the database (`SharedLimits.take`), so behind several instances a key still gets its limit once.
final class APIKeyLimiter: Sendable {
    /// The theoretical arrival time of the next request of each key, in seconds since 1970.
    private let state = NIOLockedValueBox<[UUID: Double]>([:])

    /// Takes one request from the key's bucket: nil when allowed, otherwise the whole seconds to wait.
    func take(_ id: UUID, limit: Int, now: Date) -> Int? {
        guard limit > 0 else { return nil }
        let t = now.timeIntervalSince1970, interval = 60.0 / Double(limit)
        return state.withLockedValue { arrivals in
            let next = max(arrivals[id] ?? t, t) + interval
            if next - t > 60.0 + 1e-6 { return max(1, Int((next - t - 60.0).rounded(.up))) }
            arrivals[id] = next
            return nil
        }
    }

    /// Forgets a key's history (after its limit changed, so the new limit applies at once).
    func reset(_ id: UUID) { _ = state.withLockedValue { $0.removeValue(forKey: id) } }
}

extension Application {
    private struct APIKeyLimiterKey: StorageKey { typealias Value = APIKeyLimiter }
    var apiKeyLimiter: APIKeyLimiter {
        get { storage[APIKeyLimiterKey.self]! }
        set { storage[APIKeyLimiterKey.self] = newValue }
    }
}

/// Creating, changing and checking API keys, callable without HTTP.
enum APIKeys {
    static let defaultRateLimit = 60
    static let maxRateLimit = 100_000
    /// Days of per-day counts the usage view shows.
    static let usageDays = 30

    struct Created: Sendable { var id: UUID; var key: String }

    /// A key's settings after validation.
    struct Definition: Sendable, Equatable {
        var scopes: [APIKeyScope]
        var bound: Scope?
        var rateLimit: Int
    }

    static func parseScopes(_ text: String) throws -> [APIKeyScope] {
        let codes = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let scopes = try codes.map { code in
            guard let scope = APIKeyScope(rawValue: code) else {
                throw AppError.invalid("scope \(code) is not one of \(APIKeyScope.allCases.map(\.rawValue).joined(separator: ", "))", field: "scopes")
            }
            return scope
        }
        guard !scopes.isEmpty else { throw AppError.invalid("at least one scope is required", field: "scopes") }
        return Array(Set(scopes)).sorted()
    }

    static func parseRateLimit(_ text: String?) throws -> Int {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return defaultRateLimit }
        guard let value = Int(text), (0...maxRateLimit).contains(value) else {
            throw AppError.invalid("rate limit must be a whole number from 0 (unlimited) to \(maxRateLimit) requests a minute", field: "rate_limit")
        }
        return value
    }

    /// Checks scopes, the bound scope and the limit together: `read-scope` needs a jurisdiction or unit of the tree,
    /// `act` an active unit; a bound scope means nothing to the other scopes, so it is refused without them.
    static func define(scopes: [APIKeyScope], bound text: String?, rateLimit: Int, tree: OrgTree) throws -> Definition {
        let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
        var bound: Scope?
        if !trimmed.isEmpty {
            guard let scope = Scope(trimmed) else {
                throw AppError.invalid("scope must be a jurisdiction code (63) or a unit (63/dinkes)", field: "scope")
            }
            switch scope {
            case .jurisdiction(let code):
                guard tree.jurisdictions[code] != nil else { throw AppError.invalid("unknown jurisdiction \(code)", field: "scope") }
            case .unit(let id):
                guard let unit = tree.units[id] else { throw AppError.invalid("unknown unit \(id)", field: "scope") }
                guard unit.active else { throw AppError.invalid("unit \(id) is inactive", field: "scope") }
            }
            bound = scope
        }
        let set = Set(scopes)
        if set.contains(.readScope) && bound == nil {
            throw AppError.invalid("a read-scope key needs a scope: a jurisdiction (63) or a unit (63/dinkes)", field: "scope")
        }
        if set.contains(.act) {
            guard case .unit? = bound else { throw AppError.invalid("an act key needs a unit as its scope (63/dinkes)", field: "scope") }
        }
        if bound != nil && !set.contains(.readScope) && !set.contains(.act) {
            throw AppError.invalid("a scope is only used by read-scope and act keys", field: "scope")
        }
        guard (0...maxRateLimit).contains(rateLimit) else {
            throw AppError.invalid("rate limit must be from 0 (unlimited) to \(maxRateLimit) requests a minute", field: "rate_limit")
        }
        return Definition(scopes: Array(set).sorted(), bound: bound, rateLimit: rateLimit)
    }

    static func describe(_ d: Definition) -> String {
        "scopes=\(d.scopes.map(\.rawValue).joined(separator: ",")) scope=\(d.bound?.description ?? "-") rate_limit=\(d.rateLimit)"
    }

    /// A new key, audited as created by `actor`.
    static func create(_ app: Application, name: String, _ definition: Definition, actor: String) async throws -> Created {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...120).contains(trimmed.count) else { throw AppError.invalid("name is required and at most 120 characters", field: "name") }
        let key = "aduan_" + Secrets.randomToken(bytes: 24)
        let row = APIKey()
        row.id = UUID()
        row.name = trimmed
        row.keyHash = Secrets.sha256(key)
        row.scopes = definition.scopes.map(\.rawValue).joined(separator: ",")
        row.scope = definition.bound?.description
        row.rateLimit = definition.rateLimit
        row.createdAt = app.clock.now
        row.useCount = 0
        row.refusedCount = 0
        row.active = true
        let now = app.clock.now
        try await withWriteTransaction(app) { db in
            try await row.create(on: db)
            try await OrgAdmin.audit(db, at: now, actor: actor, action: "apikey_create",
                                     detail: "\(row.id!.uuidString.lowercased()) name=\(trimmed) \(describe(definition))")
        }
        return Created(id: row.id!, key: key)
    }

    /// The same as `create` with the old command-line signature: every scope without a binding, the default limit.
    static func create(_ app: Application, name: String, scopes: [APIKeyScope]) async throws -> Created {
        try await create(app, name: name, Definition(scopes: scopes, bound: nil, rateLimit: defaultRateLimit), actor: "cli")
    }

    /// Changes scopes, binding and limit of an active key; false when nothing changed (nothing is written then).
    @discardableResult
    static func update(_ app: Application, id: UUID, _ definition: Definition, actor: String) async throws -> Bool {
        let now = app.clock.now
        let changed = try await withWriteTransaction(app) { db -> Bool in
            guard let row = try await APIKey.find(id, on: db) else { throw AppError.notFound("no API key \(id)") }
            guard row.active else { throw AppError.conflict("the key is revoked") }
            let scopes = definition.scopes.map(\.rawValue).joined(separator: ",")
            guard row.scopes != scopes || row.scope != definition.bound?.description || row.rateLimit != definition.rateLimit else { return false }
            row.scopes = scopes
            row.scope = definition.bound?.description
            row.rateLimit = definition.rateLimit
            try await row.update(on: db)
            try await OrgAdmin.audit(db, at: now, actor: actor, action: "apikey_update",
                                     detail: "\(id.uuidString.lowercased()) name=\(row.name) \(describe(definition))")
            return true
        }
        if changed {
            app.apiKeyLimiter.reset(id)
            if !app.usesSQLite { try await SharedLimits.reset("apikey:\(id.uuidString.lowercased())", on: app.db as! any SQLDatabase) }
        }
        return changed
    }

    /// Deactivates a key for good; false when it was revoked already.
    @discardableResult
    static func revoke(_ app: Application, id: UUID, actor: String) async throws -> Bool {
        let now = app.clock.now
        return try await withWriteTransaction(app) { db -> Bool in
            guard let row = try await APIKey.find(id, on: db) else { throw AppError.notFound("no API key \(id)") }
            guard row.active else { return false }
            row.active = false
            try await row.update(on: db)
            try await OrgAdmin.audit(db, at: now, actor: actor, action: "apikey_revoke", detail: "\(id.uuidString.lowercased()) name=\(row.name)")
            return true
        }
    }

    // MARK: checking a presented key

    /// The key a request to /api/v1 carries: the `X-API-Key` header, or the `api_key` query parameter.
    static func presented(_ req: Request) -> String? {
        let raw = req.headers.first(name: "X-API-Key") ?? req.query[String.self, at: "api_key"]
        return raw.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
    }

    /// An active key, within its rate limit: 403 when the key is unknown or revoked, 429 (with the wait) when over its
    /// limit. Refusals of a known key are counted; an accepted request is counted by `record` once its outcome is known.
    static func resolve(_ key: String, app: Application) async throws -> APIKeyPrincipal {
        let hash = Secrets.sha256(key.trimmingCharacters(in: .whitespaces))
        guard let row = try await APIKey.query(on: app.db).filter(\.$keyHash == hash).first(), let id = row.id else {
            throw AppError.forbidden("api_key is not valid")
        }
        guard row.active else {
            try await record(id, refused: true, app: app)
            throw AppError.forbidden("api_key is revoked")
        }
        let wait = app.usesSQLite
            ? app.apiKeyLimiter.take(id, limit: row.rateLimit, now: app.clock.now)
            : try await SharedLimits.take("apikey:\(id.uuidString.lowercased())", limit: row.rateLimit, now: app.clock.now,
                                          on: app.db as! any SQLDatabase)
        if let wait {
            try await record(id, refused: true, app: app)
            throw AppError.tooMany("this API key is over its limit of \(row.rateLimit) requests a minute; retry in \(wait) s", retryAfter: wait)
        }
        return APIKeyPrincipal(id: id, name: row.name, scopes: row.scopeSet, bound: row.boundScope)
    }

    /// A key that must be present and hold `scope` (Open311 POST): 403 otherwise. Counts the use or the refusal.
    @discardableResult
    static func authorize(_ key: String?, scope: APIKeyScope, app: Application) async throws -> APIKeyPrincipal {
        guard let key = key?.trimmingCharacters(in: .whitespaces), !key.isEmpty else {
            throw AppError.forbidden("api_key is required")
        }
        return try await authorizeOptional(key, scope: scope, app: app)!
    }

    /// A key that may be absent, but when given must be valid and hold `scope` (Open311 GETs): never silently anonymous.
    @discardableResult
    static func authorizeOptional(_ key: String?, scope: APIKeyScope, app: Application) async throws -> APIKeyPrincipal? {
        guard let key = key?.trimmingCharacters(in: .whitespaces), !key.isEmpty else { return nil }
        let principal = try await resolve(key, app: app)
        guard principal.scopes.contains(scope) else {
            try await record(principal.id, refused: true, app: app)
            throw AppError.forbidden("api_key does not have the \(scope.rawValue) scope")
        }
        try await record(principal.id, refused: false, app: app)
        return principal
    }

    /// Counts one use or one refusal: the key's totals and its row for today, each one atomic statement.
    static func record(_ id: UUID, refused: Bool, app: Application) async throws {
        let now = app.clock.now
        let day = localDay(now, timeZone: WorkingCalendar.wita)
        try await withWriteTransaction(app) { db in
            guard let sql = db as? any SQLDatabase else { return }
            if refused {
                try await sql.raw("UPDATE api_keys SET refused_count = refused_count + 1 WHERE id = \(bind: id)").run()
            } else {
                try await sql.raw("UPDATE api_keys SET use_count = use_count + 1, last_used_at = \(bind: now) WHERE id = \(bind: id)").run()
            }
            try await sql.raw("""
                INSERT INTO api_key_usage (key_id, day, uses, refused) VALUES (\(bind: id), \(bind: day), \(bind: refused ? 0 : 1), \(bind: refused ? 1 : 0))
                ON CONFLICT (key_id, day) DO UPDATE SET uses = api_key_usage.uses + excluded.uses, refused = api_key_usage.refused + excluded.refused
                """).run()
        }
    }

    /// The calendar day of `date` in WITA (Kalimantan Selatan's time), as YYYY-MM-DD: usage is counted per local day.
    static func localDay(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// Per-day counts of the last `days` days up to `now`, oldest first, with zero days filled in.
    static func usage(_ id: UUID, days: Int = usageDays, now: Date, on db: any Database) async throws -> [(day: String, uses: Int, refused: Int)] {
        let list = (0..<days).reversed().map { localDay(now.addingTimeInterval(-Double($0) * 86_400), timeZone: WorkingCalendar.wita) }
        let rows = try await APIKeyUsage.query(on: db).filter(\.$keyID == id).filter(\.$day >= list[0]).all()
        let byDay = Dictionary(rows.map { ($0.day, $0) }, uniquingKeysWith: { a, _ in a })
        return list.map { (day: $0, uses: byDay[$0]?.uses ?? 0, refused: byDay[$0]?.refused ?? 0) }
    }
}
