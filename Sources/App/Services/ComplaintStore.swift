import AduanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Writes decided transitions: events (hash-chained), the projection, stages and outbox rows, in the caller's
/// transaction. The rules live in AduanCore; this type only persists what the core decided.
enum ComplaintStore {
    /// Appends the transition's events to `complaint` and saves its new projection, stages and messages.
    @discardableResult
    static func commit(_ transition: Transition, to complaint: Complaint, actorID: String?, secrets: Secrets,
                       language: String? = nil, on db: any Database) async throws -> [Event] {
        let isNew = complaint.id == nil
        complaint.apply(transition.record, at: transition.events.last?.at ?? Date())
        if isNew {
            complaint.headHash = CanonicalEvent.genesis
            complaint.eventCount = 0
            try await complaint.create(on: db)
        }
        guard let complaintID = complaint.id else { throw AppError(status: .internalServerError, code: "internal", message: "complaint has no id") }

        var previous = complaint.headHash
        var seq = transition.record.eventCount - transition.events.count
        var written: [Event] = []
        for draft in transition.events {
            seq += 1
            let event = Event()
            event.complaintID = complaintID
            event.seq = seq
            event.at = draft.at
            event.action = draft.action.rawValue
            event.fromState = draft.fromState?.rawValue
            event.toState = draft.toState.rawValue
            event.actorRole = draft.actorRole
            event.actorID = actorID
            event.unitID = draft.unit
            event.jurisdictionCode = draft.jurisdiction
            event.publicText = draft.publicText
            event.internalText = draft.internalText
            event.dueAt = draft.dueAt
            event.late = draft.late
            event.data = CanonicalEvent.encodeData(draft.data)
            event.isPublic = draft.isPublic
            event.prevHash = previous
            event.hash = secrets.chainHash(event.canonical(trackingID: complaint.trackingID).bytes)
            previous = event.hash
            try await event.create(on: db)
            written.append(event)
        }
        complaint.headHash = previous
        complaint.eventCount = transition.record.eventCount
        try await complaint.update(on: db)

        try await applyStages(transition.stages, complaintID: complaintID, on: db)

        let lastSeq = written.last?.seq ?? seq
        for notice in transition.notices {
            let message = OutboxMessage()
            message.idempotencyKey = "\(complaint.trackingID):\(lastSeq):\(notice.audience.code):\(notice.kind)"
            message.kind = notice.kind
            message.audience = notice.audience.code
            message.complaintID = complaintID
            message.payload = CanonicalEvent.encodeData([
                "tracking_id": complaint.trackingID, "kind": notice.kind, "state": complaint.state,
                "seq": String(lastSeq), "language": language ?? complaint.language,
            ])
            message.status = "pending"
            message.attempts = 0
            message.nextAttemptAt = transition.events.last?.at ?? Date()
            message.createdAt = message.nextAttemptAt
            try await message.create(on: db)
        }
        return written
    }

    static func applyStages(_ changes: [StageChange], complaintID: Int, on db: any Database) async throws {
        for change in changes {
            switch change {
            case .start(let kind, let jurisdiction, let unit, let at, let due):
                let stage = Stage()
                stage.complaintID = complaintID; stage.kind = kind.rawValue; stage.jurisdictionCode = jurisdiction
                stage.unitID = unit; stage.startedAt = at; stage.dueAt = due
                try await stage.create(on: db)
            case .end(let kind, let at, let late):
                try await Stage.query(on: db)
                    .filter(\.$complaintID == complaintID).filter(\.$kind == kind.rawValue).filter(\.$endedAt == nil)
                    .set(\.$endedAt, to: at).set(\.$late, to: late)
                    .update()
            case .reschedule(let kind, let due):
                try await Stage.query(on: db)
                    .filter(\.$complaintID == complaintID).filter(\.$kind == kind.rawValue).filter(\.$endedAt == nil)
                    .set(\.$dueAt, to: due)
                    .update()
            }
        }
    }

    static func find(_ trackingID: String, on db: any Database) async throws -> Complaint? {
        guard let id = TrackingID(trackingID) else { return nil }
        return try await Complaint.query(on: db).filter(\.$trackingID == id.rawValue).first()
    }
}

extension Audience {
    /// Stored form of the audience.
    var code: String {
        switch self {
        case .reporter: return "reporter"
        case .unitLiaisons(let u): return "unit_liaisons:\(u)"
        case .unitHead(let u): return "unit_head:\(u)"
        case .coordinators(let j): return "coordinators:\(j)"
        case .inspectorate(let j): return "inspectorate:\(j)"
        }
    }
}
