import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Recomputes every complaint's hash chain (keyed with the installation's secret, so it cannot be forged without it).
enum AuditVerifier {
    struct Result: Sendable { var complaints = 0; var events = 0; var problems: [String] = [] }
    struct Broken: Error, CustomStringConvertible {
        var count: Int
        var description: String { "audit verify found \(count) problems in the event log" }
    }

    static func verify(_ app: Application) async throws -> Result {
        var result = Result()
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
                var previous = CanonicalEvent.genesis
                var expectedSeq = 1
                for event in byComplaint[complaint.id!] ?? [] {
                    result.events += 1
                    let tid = complaint.trackingID
                    if event.seq != expectedSeq { result.problems.append("\(tid): event \(expectedSeq) is missing (found \(event.seq))") }
                    if event.prevHash != previous { result.problems.append("\(tid): event \(event.seq) does not follow the previous event") }
                    let recomputed = secrets.chainHash(event.canonical(trackingID: tid).bytes)
                    if recomputed != event.hash { result.problems.append("\(tid): event \(event.seq) was altered") }
                    previous = event.hash
                    expectedSeq = event.seq + 1
                }
                if expectedSeq - 1 != complaint.eventCount || previous != complaint.headHash {
                    result.problems.append("\(complaint.trackingID): the log ends at event \(expectedSeq - 1) but the complaint records \(complaint.eventCount) (events deleted)")
                }
            }
        }
        let orphans = try await Event.query(on: app.db).join(Complaint.self, on: \Event.$complaintID == \Complaint.$id, method: .left)
            .filter(Complaint.self, \Complaint.$id == .null).count()
        if orphans > 0 { result.problems.append("\(orphans) events belong to no complaint") }
        return result
    }
}
