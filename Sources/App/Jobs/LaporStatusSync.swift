import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Follow-up sync for complaints forwarded to SP4N-LAPOR!: a forwarded complaint is terminal here (`diteruskan`),
/// so its follow-ups happen in LAPOR. Each worker sweep asks LAPOR about the forwarded complaints not asked about
/// for `ADUAN_LAPOR_SYNC_INTERVAL` and records every change of status (with LAPOR's latest answer) as an internal
/// `external_update` event. A complaint is claimed before it is asked about, so several workers never ask twice in
/// one interval; the lifecycle refuses to record the same status twice. Once LAPOR's status is final it is not
/// asked again.
struct LaporStatusSync: Sendable {
    let app: Application
    static let batchSize = 50

    struct Candidate: Decodable {
        var id: Int
        var tracking_id: String
        var external_ref: String
    }

    /// One pass; returns how many complaints had news. Errors are recorded per complaint and logged, never thrown:
    /// LAPOR being down must not stop the rest of the sweep.
    func sweep() async -> Int {
        guard let bridge = app.laporBridge, let sql = app.writeDB as? any SQLDatabase else { return 0 }
        let now = app.clock.now
        let threshold = now.addingTimeInterval(-(app.laporSettings?.syncInterval ?? LaporSettings.defaultSyncInterval))
        let candidates: [Candidate]
        do {
            candidates = try await sql.raw("""
                SELECT c.id, c.tracking_id, c.external_ref FROM complaints c LEFT JOIN lapor_sync s ON s.complaint_id = c.id
                WHERE c.state = \(bind: ComplaintState.diteruskan.rawValue) AND c.external_destination = \(bind: National.destination)
                  AND c.external_ref IS NOT NULL AND (s.complaint_id IS NULL OR (s.finished = \(bind: false) AND s.checked_at < \(bind: threshold)))
                ORDER BY s.checked_at IS NOT NULL, s.checked_at, c.id LIMIT \(unsafeRaw: String(Self.batchSize))
                """).all(decoding: Candidate.self)
        } catch {
            app.logger.error("LAPOR status sync: listing failed", metadata: ["error": "\(String(reflecting: error))"])
            return 0
        }
        var changed = 0
        for candidate in candidates {
            do {
                guard try await claim(candidate.id, now: now, threshold: threshold, on: sql) else { continue }
                let report = try await bridge.status(of: candidate.external_ref)
                if try await record(report, for: candidate.tracking_id) { changed += 1 }
                let final = National.status(of: report.status)?.isFinal ?? false
                try await sql.update("lapor_sync").set("finished", to: final).set("last_error", to: SQLLiteral.null)
                    .where("complaint_id", .equal, candidate.id).run()
            } catch {
                app.logger.warning("LAPOR status sync failed", metadata: ["tracking_id": "\(candidate.tracking_id)", "error": "\(error)"])
                try? await sql.update("lapor_sync").set("last_error", to: String(describing: error).prefix(500).description)
                    .where("complaint_id", .equal, candidate.id).run()
            }
        }
        return changed
    }

    /// Takes the complaint for this interval; false when another worker took it first.
    func claim(_ complaintID: Int, now: Date, threshold: Date, on sql: any SQLDatabase) async throws -> Bool {
        let rows = try await sql.raw("""
            INSERT INTO lapor_sync (complaint_id, checked_at, finished) VALUES (\(bind: complaintID), \(bind: now), \(bind: false))
            ON CONFLICT (complaint_id) DO UPDATE SET checked_at = excluded.checked_at
            WHERE lapor_sync.finished = \(bind: false) AND lapor_sync.checked_at < \(bind: threshold)
            RETURNING complaint_id
            """).all()
        return !rows.isEmpty
    }

    /// Records LAPOR's status when it differs from the last one recorded (or is newer).
    func record(_ report: LaporStatusReport, for trackingID: String) async throws -> Bool {
        let status = report.status.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !status.isEmpty else { throw LaporBridgeError.malformedResponse("status is empty") }
        guard let complaint = try await Complaint.byTrackingID(trackingID, on: app.db) else { return false }
        let newer = report.updated_at.map { at in complaint.externalStatusAt.map { at > $0 } ?? true } ?? false
        guard status != complaint.externalStatus || newer else { return false }
        var note = "Status di SP4N-LAPOR!: \(status)"
        if let reading = National.status(of: status) { note += " (setara \(reading.equivalent.rawValue))" }
        if let previous = complaint.externalStatus, previous != status { note += ", sebelumnya \(previous)" }
        note += "."
        if let answer = report.responses?.last(where: { !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            note += "\nTanggapan terakhir" + (answer.agency.map { " (\($0))" } ?? "") + ": " + answer.text
        }
        return try await LaporRecorder.record(trackingID, reference: nil, status: status, statusAt: report.updated_at, note: note, app: app)
    }
}
