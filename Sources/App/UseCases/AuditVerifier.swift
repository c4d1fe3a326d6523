import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// `aduan audit verify`: checks everything the audit chain covers, each kind of break reported apart (keyed with the
/// installation's secret, so none of it can be forged without it):
/// - **event chain**: every complaint's events recomputed, in sequence, ending where the complaint row says;
/// - **projection**: every complaint row against what its events add up to under the lifecycle's rules (`Replay`);
/// - **audit log**: the audit log's own chain (`AuditChain`);
/// - **anchors**: the signed anchors (`AuditAnchors`) intact and every complaint, event and audit row they list still
///   there, so deleting a whole complaint with its events is caught.
enum AuditVerifier {
    enum Kind: String, Sendable, CaseIterable {
        case eventChain = "event chain", projection, auditLog = "audit log", anchors
    }

    struct Finding: Sendable, Equatable {
        var kind: Kind
        var text: String
    }

    struct Result: Sendable {
        var complaints = 0
        var events = 0
        var auditRows = 0
        var anchors = 0
        var findings: [Finding] = []
        /// Every finding as one line, its kind first.
        var problems: [String] { findings.map { "\($0.kind.rawValue): \($0.text)" } }
        mutating func add(_ kind: Kind, _ text: String) { findings.append(Finding(kind: kind, text: text)) }
        func count(_ kind: Kind) -> Int { findings.filter { $0.kind == kind }.count }
    }

    struct Broken: Error, CustomStringConvertible {
        var count: Int
        var description: String { "audit verify found \(count) problems" }
    }

    static func verify(_ app: Application) async throws -> Result {
        var result = Result()
        try await verifyComplaints(app, into: &result)
        try await verifyAuditLog(app, into: &result)
        try await verifyAnchors(app, into: &result)
        return result
    }

    /// The event chains and the projections, 500 complaints at a time.
    static func verifyComplaints(_ app: Application, into result: inout Result) async throws {
        let secrets = app.secrets
        var lastID = 0
        while true {
            let complaints = try await Complaint.query(on: app.db).filter(\.$id > lastID).sort(\.$id).limit(500).all()
            guard let last = complaints.last?.id else { break }
            lastID = last
            let ids = complaints.compactMap(\.id)
            let events = try await Event.query(on: app.db).filter(\.$complaintID ~~ ids).sort(\.$complaintID).sort(\.$seq).all()
            let byComplaint = Dictionary(grouping: events, by: \.complaintID)
            for complaint in complaints {
                result.complaints += 1
                let tid = complaint.trackingID
                var previous = CanonicalEvent.genesis
                var expectedSeq = 1
                let log = byComplaint[complaint.id!] ?? []
                for event in log {
                    result.events += 1
                    if event.seq != expectedSeq { result.add(.eventChain, "\(tid): event \(expectedSeq) is missing (found \(event.seq))") }
                    if event.prevHash != previous { result.add(.eventChain, "\(tid): event \(event.seq) does not follow the previous event") }
                    let recomputed = secrets.chainHash(event.canonical(trackingID: tid).bytes)
                    if recomputed != event.hash { result.add(.eventChain, "\(tid): event \(event.seq) was altered") }
                    previous = event.hash
                    expectedSeq = event.seq + 1
                }
                if expectedSeq - 1 != complaint.eventCount || previous != complaint.headHash {
                    result.add(.eventChain, "\(tid): the log ends at event \(expectedSeq - 1) but the complaint records \(complaint.eventCount) (events deleted)")
                }
                for problem in projectionProblems(complaint, log) { result.add(.projection, "\(tid): \(problem)") }
            }
        }
        let orphans = try await Event.query(on: app.db).join(Complaint.self, on: \Event.$complaintID == \Complaint.$id, method: .left)
            .filter(Complaint.self, \Complaint.$id == .null).count()
        if orphans > 0 { result.add(.eventChain, "\(orphans) events belong to no complaint") }
    }

    /// The complaint row against its replayed events: the lifecycle's steps, then each column the events decide.
    static func projectionProblems(_ complaint: Complaint, _ log: [Event]) -> [String] {
        let (replayed, steps) = Replay.projection(log.map {
            ReplayEvent(seq: $0.seq, action: $0.action, fromState: $0.fromState, toState: $0.toState, at: $0.at, unit: $0.unitID,
                        jurisdiction: $0.jurisdictionCode, data: $0.dataDictionary)
        })
        var problems = steps
        guard let p = replayed else { return problems }
        func differs<T: Equatable>(_ column: String, _ row: T, _ events: T?) {
            guard let events, row != events else { return }
            problems.append("\(column) is \(String(describing: row)) but its events say \(String(describing: events))")
        }
        differs("state", complaint.state, p.state)
        differs("jurisdiction", complaint.jurisdictionCode, p.jurisdiction)
        differs("unit", complaint.unitID ?? "none", p.unit ?? "none")
        differs("type", complaint.type, p.type)
        differs("channel", complaint.channel, p.channel)
        differs("event count", complaint.eventCount, p.eventCount)
        differs("disposition count", complaint.dispositionCount, p.dispositionCount)
        differs("reopen count", complaint.reopenCount, p.reopenCount)
        differs("rating", complaint.rating.map(String.init) ?? "none", p.rating.map(String.init) ?? "none")
        differs("archive reason", complaint.archiveReason ?? "none", p.archiveReason ?? "none")
        differs("anonymous", complaint.anonymous, p.anonymous)
        differs("confidential", complaint.confidential, p.confidential)
        differs("external destination", complaint.externalDestination ?? "none", p.externalDestination ?? "none")
        differs("external reference", complaint.externalRef ?? "none", p.externalRef ?? "none")
        differs("assignee", complaint.assigneeID ?? "none", p.assignee ?? "none")
        let closed = complaint.closedAt.map { CanonicalEvent.milliseconds($0) }
        differs("closed at", closed.map(String.init) ?? "open", p.closedAt.map { String(CanonicalEvent.milliseconds($0)) } ?? "open")
        return problems
    }

    /// The audit log's chain, in id order.
    static func verifyAuditLog(_ app: Application, into result: inout Result) async throws {
        let secrets = app.secrets
        var previous = CanonicalEvent.genesis
        var lastID = 0
        while true {
            let rows = try await AuditEntry.query(on: app.db).filter(\.$id > lastID).sort(\.$id).limit(2000).all()
            guard let last = rows.last?.id else { break }
            lastID = last
            for row in rows {
                result.auditRows += 1
                guard let hash = row.hash else {
                    result.add(.auditLog, "audit row \(row.id!) (\(row.action)) is not chained")
                    continue
                }
                if row.prevHash != previous { result.add(.auditLog, "audit row \(row.id!) (\(row.action)) does not follow the row before it (a row was deleted)") }
                if AuditChain.hash(row, previous: row.prevHash ?? "", secrets: secrets) != hash {
                    result.add(.auditLog, "audit row \(row.id!) (\(row.action)) was altered")
                }
                previous = hash
            }
        }
    }

    /// The anchors' own chain and MACs, then every id they list against the tables.
    static func verifyAnchors(_ app: Application, into result: inout Result) async throws {
        guard let sql = app.db as? any SQLDatabase else { return }
        let secrets = app.secrets
        var previous = CanonicalEvent.genesis
        var anchored: [String: [ClosedRange<Int>]] = ["complaints": [], "events": [], "audit_log": []]
        var heads: [(id: Int, hash: String)] = []
        for row in try await sql.raw("SELECT * FROM audit_anchors ORDER BY id").all() {
            let anchor = try AuditAnchors.decode(row)
            result.anchors += 1
            if anchor.prevMAC != previous { result.add(.anchors, "anchor \(anchor.id!) does not follow the anchor before it (an anchor was deleted)") }
            if secrets.chainHash(anchor.canonical) != anchor.mac { result.add(.anchors, "anchor \(anchor.id!) was altered") }
            previous = anchor.mac
            for (table, text) in [("complaints", anchor.complaintIDs), ("events", anchor.eventIDs), ("audit_log", anchor.auditIDs)] {
                guard let ranges = AuditAnchors.parse(text) else {
                    result.add(.anchors, "anchor \(anchor.id!) lists malformed \(table) ids")
                    continue
                }
                anchored[table]! += ranges
            }
            if anchor.auditMaxID > 0 { heads.append((anchor.auditMaxID, anchor.auditHead)) }
        }
        for table in ["complaints", "events", "audit_log"] {
            let missing = try await missingIDs(anchored[table]!, table: table, on: sql)
            guard !missing.isEmpty else { continue }
            let what = ["complaints": "complaint", "events": "event", "audit_log": "audit row"][table]!
            let shown = missing.prefix(20).map(String.init).joined(separator: ", ") + (missing.count > 20 ? " …" : "")
            result.add(.anchors, "\(missing.count) \(what)\(missing.count == 1 ? "" : "s") anchored earlier \(missing.count == 1 ? "is" : "are") gone (id \(shown)): deleted")
        }
        // The audit chain's head at each anchor is still what it was (a rewritten chain has other hashes).
        for head in heads {
            let now = try await sql.raw("SELECT hash FROM audit_log WHERE id = \(bind: head.id)").first()
                .flatMap { try $0.decodeNil(column: "hash") ? nil : $0.decode(column: "hash", as: String.self) }
            if let now, now != head.hash { result.add(.anchors, "audit row \(head.id) is not the one anchored (the audit chain was rewritten)") }
        }
    }

    /// The anchored ids that are not in `table` (both read in id order, the table a page at a time); at most 10,000.
    static func missingIDs(_ anchored: [ClosedRange<Int>], table: String, on sql: any SQLDatabase) async throws -> [Int] {
        let ranges = anchored.sorted { $0.lowerBound < $1.lowerBound }
        guard let first = ranges.first, let top = ranges.last?.upperBound else { return [] }
        var missing: [Int] = []
        var r = 0
        var next = first.lowerBound // the next anchored id not met yet
        func skipSpent() {
            while r < ranges.count && next > ranges[r].upperBound {
                r += 1
                if r < ranges.count { next = max(next, ranges[r].lowerBound) }
            }
        }
        /// Meets `id` in the table: every anchored id below it that was not met is missing.
        func meet(_ id: Int) {
            skipSpent()
            while r < ranges.count && next < id && missing.count < 10_000 {
                missing.append(next)
                next += 1
                skipSpent()
            }
            if r < ranges.count && next == id { next += 1 }
        }
        var after = first.lowerBound - 1
        while after < top {
            let page = try await sql.raw("SELECT id FROM \(ident: table) WHERE id > \(bind: after) AND id <= \(bind: top) ORDER BY id LIMIT 10000").all()
                .map { try $0.decode(column: "id", as: Int.self) }
            guard let last = page.last else { break }
            page.forEach(meet)
            after = last
        }
        meet(top + 1)
        return missing
    }
}
