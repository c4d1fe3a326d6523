import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The officer's in-app inbox (issue 5): work handed to them since they last looked, deadlines that are close or
/// passed, and escalations. Built from the events and the complaints in the officer's scope, so it never shows
/// something the officer may not read.
enum InboxController {
    /// Events that hand work to someone (and the role whose work it becomes).
    static let handOffs: [Action: [Role]] = [
        .submit: [.coordinator, .inspector], .reply: [.coordinator, .inspector], .return: [.coordinator, .inspector],
        .forward_jurisdiction: [.coordinator, .inspector], .request_extension: [.coordinator, .inspector],
        .verify: [.liaison], .redispose: [.liaison], .dispute: [.liaison, .unit_head], .decide_extension: [.liaison],
        .escalate: [.liaison, .unit_head, .coordinator, .inspector], .flag_supervision: [.liaison, .unit_head],
    ]

    /// How far back an inbox that was never opened reaches.
    static let firstLook: TimeInterval = 14 * 86_400

    struct Item: Encodable, Sendable {
        var when: String
        var label: String
        var row: CaseRow
        var unread: Bool
    }

    struct InboxView: Encodable, Sendable {
        var news: [Item]
        var hasNews: Bool
        /// Overdue, then due soon.
        var sections: [CaseSection]
        var unread: Int
        var warnings: [WarningsController.Row]
    }

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

    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let seen = try await User.find(ws.principal.userID, on: req.db)?.inboxSeenAt
        let since = min(seen ?? ws.now, ws.now).addingTimeInterval(seen == nil ? -firstLook : -7 * 86_400)
        let news = try await handOffs(ws, since: since).map { e, c in
            Item(when: ws.wording(for: c.jurisdictionCode).dateTime(e.at), label: ws.req.text("event_\(e.action)"), row: ws.row(c),
                 unread: seen.map { e.at > $0 } ?? true)
        }
        let open = try await ws.scoped(states: ComplaintState.allCases.filter(\.isGovernmentsTurn))
        let mine = open.filter { ws.nextAction($0.record) != nil || ws.holds(.unit_head) }
        let timed = mine.compactMap { c in ws.countdown(c).map { (c, $0.countdown) } }
        let overdue = timed.filter { $0.1.status == .overdue }.sorted { $0.1.urgency < $1.1.urgency }.map { ws.row($0.0) }
        let dueSoon = timed.filter { $0.1.status == .dueSoon }.map { ws.row($0.0) }
        let view = InboxView(news: news, hasNews: !news.isEmpty,
                             sections: [CaseSection(id: "terlambat", title: req.text("inbox_overdue"), hint: req.text("inbox_overdue_hint"), rows: overdue, bulk: false),
                                        CaseSection(id: "segera", title: req.text("inbox_due_soon"), hint: req.text("inbox_due_soon_hint"), rows: dueSoon, bulk: false)],
                             unread: news.filter(\.unread).count,
                             warnings: try await WarningsController.rows(WarningsController.pending(ws), ws))
        return try await req.page("officer_inbox", title: "inbox_title", view)
    }

    /// Marks everything up to now as read.
    static func markRead(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        try await User.query(on: req.writeDB).filter(\.$id == ws.principal.userID).set(\.$inboxSeenAt, to: ws.now).update()
        return req.redirect(to: SiteURL.officerInbox.path)
    }
}

extension QueryBuilder where Model == Complaint {
    /// The ids of the matching complaints, read straight from the rows. (`all(\.$id)` builds a model per row, which
    /// reflects over every property of `Complaint`: ~60 ms for the 500 rows the menu's unread count reads.)
    func ids() async throws -> [Int] {
        let rows = NIOLockedValueBox<(ids: [Int], failed: Bool)>(([], false))
        try await copy().field(\.$id).run { output in
            let id = try? output.schema(Complaint.schema).decode("id", as: Int.self)
            rows.withLockedValue { if let id { $0.ids.append(id) } else { $0.failed = true } }
        }.get()
        let (ids, failed) = rows.withLockedValue { $0 }
        guard !failed else { throw AppError(status: .internalServerError, code: "internal", message: "a complaint row without its id") }
        return ids
    }
}
