import AduanCore
import Fluent
import Foundation
import Vapor

/// What is new for an officer: the events that handed them work since they last looked. Read by the inbox page
/// and by the menu's unread count on every workspace page.
enum Inbox {
    /// Events that hand work to someone (and the role whose work it becomes).
    static let handOffs: [Action: [Role]] = [
        .submit: [.coordinator, .inspector], .reply: [.coordinator, .inspector], .return: [.coordinator, .inspector],
        .forward_jurisdiction: [.coordinator, .inspector], .request_extension: [.coordinator, .inspector],
        .verify: [.liaison], .redispose: [.liaison], .dispute: [.liaison, .unit_head], .decide_extension: [.liaison],
        .escalate: [.liaison, .unit_head, .coordinator, .inspector], .flag_supervision: [.liaison, .unit_head],
    ]

    /// How far back an inbox that was never opened reaches.
    static let firstLook: TimeInterval = 14 * 86_400

    /// New hand-offs to this officer since `since`, newest first.
    static func handOffs(_ ws: Workspace, since: Date, limit: Int = 100) async throws -> [(Event, Complaint)] {
        let events = try await handOffEvents(ws, since: since, limit: limit)
        guard !events.isEmpty else { return [] }
        let complaints = try await Complaint.query(on: ws.req.db).filter(\.$id ~~ Set(events.map(\.complaintID))).all()
        let byID = Dictionary(uniqueKeysWithValues: complaints.map { ($0.id!, $0) })
        return events.compactMap { e in byID[e.complaintID].map { (e, $0) } }
    }

    /// The hand-off events alone: the menu's unread count needs no complaint rows. The complaints touched since
    /// `since` are found through `complaints_updated` (newest first, ids only), their events through the primary key.
    static func handOffEvents(_ ws: Workspace, since: Date, limit: Int = 100) async throws -> [Event] {
        let roles = Set(ws.officer.assignments.map(\.role))
        let actions = handOffs.filter { !roles.isDisjoint(with: $0.value) }.map(\.key.rawValue)
        guard !actions.isEmpty else { return [] }
        let touched = try await ScopedComplaints.query(for: ws.officer, reference: ws.reference, on: ws.req.db)
            .filter(\.$updatedAt > since).sort(\.$updatedAt, .descending).limit(500).ids()
        guard !touched.isEmpty else { return [] }
        return try await Event.query(on: ws.req.db)
            .filter(\.$complaintID ~~ touched).filter(\.$at > since).filter(\.$action ~~ actions)
            .sort(\.$at, .descending).limit(limit).all()
            .filter { $0.actorID != ws.principal.username }
    }

    static func unreadCount(_ req: Request, principal: OfficerPrincipal) async throws -> Int {
        let ws = Workspace(req: req, principal: principal, reference: try await req.reference(), now: req.application.clock.now)
        let seen = try await User.find(principal.userID, on: req.db)?.inboxSeenAt ?? ws.now.addingTimeInterval(-firstLook)
        return try await handOffEvents(ws, since: seen).count
    }
}
