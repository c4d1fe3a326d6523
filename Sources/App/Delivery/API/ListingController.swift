import AduanCore
import Fluent
import Foundation
import Vapor

/// `GET /api/v1/complaints`: a page of the complaints the caller may read, filtered (SPEC §10).
enum ListingController {
    /// An officer's listing, or that of a `read-scope` key over its bound scope.
    static func list(_ req: Request) async throws -> ComplaintPage {
        let key = req.apiKey
        let principal = key == nil ? try req.requireOfficer() : nil
        let p = try req.query.decode(ScopedComplaints.Parameters.self)
        let reference = try await req.reference()
        let page = p.page ?? 1, perPage = p.per_page ?? 25
        guard page >= 1, page <= 100_000 else { throw AppError.invalid("page must be 1 or more", field: "page") }
        guard (1...100).contains(perPage) else { throw AppError.invalid("per_page must be 1-100", field: "per_page") }

        let query = key.map { ScopedComplaints.query(for: $0, reference: reference, on: req.db) }
            ?? ScopedComplaints.query(for: principal!.officer, reference: reference, on: req.db)
        let now = req.application.clock.now
        try ScopedComplaints.filter(query, by: p, reference: reference, now: now, usesSQLite: req.application.usesSQLite)
        switch p.sort ?? "newest" {
        case "newest": query.sort(\.$submittedAt, .descending)
        case "oldest": query.sort(\.$submittedAt, .ascending)
        case "due": query.sort(\.$officerDue, .ascending)
        default: throw AppError.invalid("sort must be newest, oldest or due", field: "sort")
        }
        query.sort(\.$id, .descending)
        let result = try await query.paginate(PageRequest(page: page, per: perPage))
        return ComplaintPage(items: result.items.map { c in
            ComplaintSummary(tracking_id: c.trackingID, type: c.type, title: c.title, state: c.state, jurisdiction: c.jurisdictionCode,
                             unit: c.unitID, category: c.categoryCode, channel: c.channel, submitted_at: c.submittedAt,
                             due_at: c.dueAt, overdue: c.officerDue.map { now > $0 } ?? false, confidential: c.confidential,
                             escalation_level: c.escalationLevel,
                             due_provisional: c.dueAt.map { reference.coverage.isProvisional($0, in: reference.calendar(for: c.jurisdictionCode)) })
        }, page: page, per_page: perPage, total: result.metadata.total)
    }
}
