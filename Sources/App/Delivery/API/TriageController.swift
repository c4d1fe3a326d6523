import AduanCore
import Foundation
import Vapor

/// `POST /api/v1/triage/suggest` (issue 16): the units and categories this installation's history suggests for a new
/// report, for the coordinators and sysadmins of the jurisdiction; a kabupaten/kota's coordinator gets only its units.
enum TriageController {
    struct SuggestRequest: Content {
        var title: String?
        var body: String?
        var jurisdiction: String
        /// Optional, for the fallback to today's rules: the category given, the unit the reporter chose (or the QR
        /// code's unit, with `qr_code` true).
        var category: String?
        var target_unit: String?
        var qr_code: Bool?
    }

    static let maxTextBytes = 64 * 1024

    static func suggest(_ req: Request) async throws -> TriageSuggest.Answer {
        let principal = try req.requireOfficer()
        let input = try req.content.decode(SuggestRequest.self)
        let reference = try await req.reference()
        let jurisdiction = input.jurisdiction.trimmingCharacters(in: .whitespaces)
        guard reference.tree.jurisdictions[jurisdiction] != nil else {
            throw AppError.badRequest("unknown jurisdiction '\(jurisdiction)'", field: "jurisdiction")
        }
        guard principal.officer.assignments.contains(where: {
            ($0.role == .coordinator || $0.role == .sysadmin) && $0.scope == .jurisdiction(jurisdiction)
        }) else {
            throw AppError.forbidden("triage suggestions are for the coordinators and sysadmins of jurisdiction \(jurisdiction)")
        }
        let title = input.title ?? "", body = input.body ?? ""
        guard !(title + body).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw AppError.badRequest("title or body is required: the text of the report to suggest for", field: "title")
        }
        guard title.utf8.count + body.utf8.count <= maxTextBytes else {
            throw AppError.badRequest("title and body together must not exceed \(maxTextBytes / 1024) KB", field: "body")
        }
        if let category = input.category, reference.categories[category] == nil {
            throw AppError.badRequest("unknown category '\(category)'", field: "category")
        }
        if let unit = input.target_unit, reference.tree.units[unit]?.jurisdiction != jurisdiction {
            throw AppError.badRequest("target_unit '\(unit)' is not a unit of jurisdiction \(jurisdiction)", field: "target_unit")
        }
        return try await TriageSuggest.suggest(
            title: title, body: body, jurisdiction: jurisdiction,
            rules: .init(targetUnit: input.target_unit, cameThroughQRCode: input.qr_code ?? false, category: input.category),
            language: req.language, app: req.application, on: req.db)
    }
}
