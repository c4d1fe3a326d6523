import AduanCore
import Fluent
import Foundation
import Vapor

/// The officer's in-app inbox (issue 5): work handed to them since they last looked, deadlines that are close or
/// passed, and escalations. Built from the events and the complaints in the officer's scope, so it never shows
/// something the officer may not read.
enum InboxController {
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
        var warnings: [WarningList.Row]
    }

    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let seen = try await User.find(ws.principal.userID, on: req.db)?.inboxSeenAt
        let since = min(seen ?? ws.now, ws.now).addingTimeInterval(seen == nil ? -Inbox.firstLook : -7 * 86_400)
        let news = try await Inbox.handOffs(ws, since: since).map { e, c in
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
                             warnings: try await WarningList.rows(WarningList.pending(ws), ws))
        return try await req.page("officer_inbox", title: "inbox_title", view)
    }

    /// Marks everything up to now as read.
    static func markRead(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        try await User.query(on: req.writeDB).filter(\.$id == ws.principal.userID).set(\.$inboxSeenAt, to: ws.now).update()
        return req.redirect(to: SiteURL.officerInbox.path)
    }
}
