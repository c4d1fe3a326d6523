import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The audit log's own hash chain: each row stores the hash of the row before it and a keyed hash of itself (the key
/// is derived from ADUAN_SECRET_KEY, like the event chain's), so an edited or deleted row (a role grant, a read of a
/// confidential complaint) breaks the chain. Rows are chained as they are written (`AuditChainMiddleware`), one at a
/// time: on PostgreSQL under an advisory lock held until the writing transaction commits, on SQLite by its one writer.
enum AuditChain {
    /// The bytes a row's hash covers: fields length-prefixed, the time in whole milliseconds (both engines keep them).
    static func canonical(at: Date, actor: String, action: String, complaintID: Int?, detail: String, previous: String) -> [UInt8] {
        CanonicalEvent.lengthPrefixed("aduan-audit-v1", [String(CanonicalEvent.milliseconds(at)), actor, action, complaintID.map(String.init),
                                                         detail, previous])
    }

    static func hash(_ entry: AuditEntry, previous: String, secrets: Secrets) -> String {
        secrets.chainHash(canonical(at: entry.at, actor: entry.actor, action: entry.action, complaintID: entry.complaintID,
                                    detail: entry.detail, previous: previous))
    }

    /// The lock key of the chain's head on PostgreSQL (an arbitrary constant: "aduan audit").
    static let lockKey: Int64 = 0x6164_7561_6E61_7564

    /// Chains `entry` onto the newest row, in `db`'s transaction. The first write after the upgrade seals the rows
    /// written before the chain existed, in order, so the chain starts at the first row.
    static func append(_ entry: AuditEntry, secrets: Secrets, on db: any Database) async throws {
        if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: lockKey))").run()
        }
        var previous = CanonicalEvent.genesis
        if let head = try await AuditEntry.query(on: db).filter(\.$hash != nil).sort(\.$id, .descending).first() {
            previous = head.hash!
        } else {
            for row in try await AuditEntry.query(on: db).sort(\.$id).all() {
                row.prevHash = previous
                row.hash = hash(row, previous: previous, secrets: secrets)
                previous = row.hash!
                try await row.update(on: db)
            }
        }
        entry.prevHash = previous
        entry.hash = hash(entry, previous: previous, secrets: secrets)
    }
}

/// Chains every audit row as it is created, whoever writes it (`AuditEntry(...).create(on:)` everywhere).
struct AuditChainMiddleware: AsyncModelMiddleware {
    typealias Model = AuditEntry
    let secrets: Secrets

    func create(model: AuditEntry, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        if db.inTransaction {
            try await AuditChain.append(model, secrets: secrets, on: db)
            try await next.create(model, on: db)
        } else {
            // Its own short transaction, retried when another writer got there first (a command beside a running
            // server on SQLite, two instances on PostgreSQL).
            let secrets = self.secrets
            try await withRetriedTransaction(db) { tx in
                try await AuditChain.append(model, secrets: secrets, on: tx)
                try await next.create(model, on: tx)
            }
        }
    }
}

/// Signed anchors over the whole log: each anchor lists the ids of the complaints, events and audit rows written since
/// the previous anchor (as ranges), the head of the audit chain, and a keyed MAC over all of it and the previous
/// anchor's MAC. Complaints, events and audit rows are never deleted by Aduan, so an anchored id that is gone is a
/// deletion, even of a whole complaint with all its events (which leaves no chain of its own to break).
enum AuditAnchors {
    struct Anchor: Sendable, Equatable {
        var id: Int?
        var at: Date
        var complaintMaxID: Int
        var complaintIDs: String
        var eventMaxID: Int
        var eventIDs: String
        var auditMaxID: Int
        var auditIDs: String
        var auditHead: String
        var prevMAC: String
        var mac: String

        var canonical: [UInt8] {
            CanonicalEvent.lengthPrefixed("aduan-anchor-v1", [String(CanonicalEvent.milliseconds(at)), String(complaintMaxID), complaintIDs,
                                                              String(eventMaxID), eventIDs, String(auditMaxID), auditIDs, auditHead, prevMAC])
        }
    }

    /// Sorted ids as ranges: [1, 2, 3, 5] → "1-3,5".
    static func ranges(_ ids: [Int]) -> String {
        var parts: [String] = []
        var start: Int?, end = 0
        for id in ids {
            if start != nil && id == end + 1 { end = id; continue }
            if let s = start { parts.append(s == end ? "\(s)" : "\(s)-\(end)") }
            start = id; end = id
        }
        if let s = start { parts.append(s == end ? "\(s)" : "\(s)-\(end)") }
        return parts.joined(separator: ",")
    }

    /// "1-3,5" → [1...3, 5...5]; nil when malformed.
    static func parse(_ text: String) -> [ClosedRange<Int>]? {
        guard !text.isEmpty else { return [] }
        var out: [ClosedRange<Int>] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0) }
            guard let first = bounds.first ?? nil, bounds.count <= 2 else { return nil }
            let last = bounds.count == 2 ? bounds[1] : first
            guard let last, last >= first else { return nil }
            out.append(first...last)
        }
        return out
    }

    static func latest(on sql: any SQLDatabase) async throws -> Anchor? {
        try await sql.raw("SELECT * FROM audit_anchors ORDER BY id DESC LIMIT 1").first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> Anchor {
        Anchor(id: try row.decode(column: "id", as: Int.self), at: try row.decode(column: "at", as: Date.self),
               complaintMaxID: try row.decode(column: "complaint_max_id", as: Int.self), complaintIDs: try row.decode(column: "complaint_ids", as: String.self),
               eventMaxID: try row.decode(column: "event_max_id", as: Int.self), eventIDs: try row.decode(column: "event_ids", as: String.self),
               auditMaxID: try row.decode(column: "audit_max_id", as: Int.self), auditIDs: try row.decode(column: "audit_ids", as: String.self),
               auditHead: try row.decode(column: "audit_head", as: String.self), prevMAC: try row.decode(column: "prev_mac", as: String.self),
               mac: try row.decode(column: "mac", as: String.self))
    }

    /// Writes an anchor over everything written since the last one, if anything was; returns it. On PostgreSQL the
    /// three tables are locked against writers for the moment it takes (their ids are handed out before commit, so
    /// without the lock a row committed late could be missed), with a short lock timeout: a busy moment skips a sweep.
    @discardableResult
    static func write(_ app: Application) async throws -> Anchor? {
        let secrets = app.secrets
        let now = app.clock.now
        return try await withWriteTransaction(app) { db -> Anchor? in
            guard let sql = db as? any SQLDatabase else { return nil }
            if sql.dialect.name == "postgresql" {
                // One anchor at a time (issue 18: two workers anchored in the same millisecond, both onto the same
                // anchor, and the chain forked): SHARE ROW EXCLUSIVE conflicts with itself, so a second worker waits
                // until the first commits and then chains onto its anchor. Only anchor writers take it.
                try await sql.raw("SET LOCAL lock_timeout = '10s'").run()
                try await sql.raw("LOCK TABLE audit_anchors IN SHARE ROW EXCLUSIVE MODE").run()
                try await sql.raw("SET LOCAL lock_timeout = '500ms'").run()
                try await sql.raw("LOCK TABLE complaints, events, audit_log IN SHARE MODE").run()
            }
            let last = try await latest(on: sql)
            func ids(_ table: String, after: Int) async throws -> [Int] {
                try await sql.raw("SELECT id FROM \(ident: table) WHERE id > \(bind: after) ORDER BY id").all()
                    .map { try $0.decode(column: "id", as: Int.self) }
            }
            let complaints = try await ids("complaints", after: last?.complaintMaxID ?? 0)
            let events = try await ids("events", after: last?.eventMaxID ?? 0)
            let audits = try await ids("audit_log", after: last?.auditMaxID ?? 0)
            guard !(complaints.isEmpty && events.isEmpty && audits.isEmpty) else { return nil }
            let auditMax = audits.last ?? last?.auditMaxID ?? 0
            let head = try await sql.raw("SELECT hash FROM audit_log WHERE id = \(bind: auditMax)").first()
                .flatMap { try $0.decodeNil(column: "hash") ? nil : $0.decode(column: "hash", as: String.self) } ?? CanonicalEvent.genesis
            var anchor = Anchor(at: now, complaintMaxID: complaints.last ?? last?.complaintMaxID ?? 0, complaintIDs: ranges(complaints),
                                eventMaxID: events.last ?? last?.eventMaxID ?? 0, eventIDs: ranges(events),
                                auditMaxID: auditMax, auditIDs: ranges(audits), auditHead: head,
                                prevMAC: last?.mac ?? CanonicalEvent.genesis, mac: "")
            anchor.mac = secrets.chainHash(anchor.canonical)
            let inserted = try await sql.insert(into: "audit_anchors")
                .columns("at", "complaint_max_id", "complaint_ids", "event_max_id", "event_ids", "audit_max_id", "audit_ids", "audit_head",
                         "prev_mac", "mac")
                .values(SQLBind(anchor.at), SQLBind(anchor.complaintMaxID), SQLBind(anchor.complaintIDs), SQLBind(anchor.eventMaxID),
                        SQLBind(anchor.eventIDs), SQLBind(anchor.auditMaxID), SQLBind(anchor.auditIDs), SQLBind(anchor.auditHead),
                        SQLBind(anchor.prevMAC), SQLBind(anchor.mac))
                .returning("id").first()
            anchor.id = try inserted?.decode(column: "id", as: Int.self)
            return anchor
        }
    }
}
