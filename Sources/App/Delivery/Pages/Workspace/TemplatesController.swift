import AduanCore
import Fluent
import Foundation
import Vapor

/// Response templates per unit and category (issue 5): kept by the unit's liaisons and head (and the
/// jurisdiction's coordinator), offered on the follow-up and final-answer forms of that unit's complaints.
enum TemplatesController {
    struct Row: Encodable, Sendable {
        var id: Int; var unit: String; var category: String?; var title: String; var body: String
        /// Where its edit form posts, and its delete button.
        var url: String; var deleteURL: String
    }

    struct TemplatesView: Encodable, Sendable {
        var rows: [Row]
        var units: [Choice]
        var categories: [Choice]
        var editing: Row?
        var values: [String: String]
        var error: String?
        var message: String?
    }

    /// Units whose templates the officer keeps.
    static func units(_ ws: Workspace) -> Set<String> {
        var result = Set<String>()
        for a in ws.officer.assignments {
            switch (a.role, a.scope) {
            case (.liaison, .unit(let id)), (.unit_head, .unit(let id)):
                result.formUnion(ws.reference.tree.unitSubtree(id))
            case (.coordinator, .jurisdiction(let code)):
                result.formUnion(ws.reference.tree.units.values.filter { $0.jurisdiction == code }.map(\.id))
            default: continue
            }
        }
        return result
    }

    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        guard !units(ws).isEmpty else { throw AppError.forbidden(req.text("templates_forbidden")) }
        let message = req.query[String.self, at: "ok"].map { req.text("templates_done_\($0 == "hapus" ? "delete" : "save")") }
        return try await render(ws, editing: req.query[Int.self, at: "ubah"], message: message)
    }

    static func render(_ ws: Workspace, editing: Int? = nil, values: [String: String] = [:], error: String? = nil, message: String? = nil,
                       status: HTTPStatus = .ok) async throws -> Response {
        let mine = units(ws)
        let records = try await ResponseTemplate.query(on: ws.req.db).filter(\.$unitID ~~ Array(mine)).sort(\.$unitID).sort(\.$title).all()
        let rows = records.map { Row(id: $0.id!, unit: ws.unitName($0.unitID) ?? $0.unitID,
                                     category: $0.categoryCode.map(ws.categoryName), title: $0.title, body: $0.body,
                                     url: RoutePattern.officerTemplate.link($0.id!), deleteURL: RoutePattern.officerTemplateDelete.link($0.id!)) }
        let current = records.first { $0.id == editing }
        var values = values
        if values.isEmpty, let current {
            values = ["unit": current.unitID, "category": current.categoryCode ?? "", "title": current.title, "body": current.body]
        }
        let view = TemplatesView(
            rows: rows,
            units: mine.sorted().map { Choice(value: $0, label: ws.unitName($0) ?? $0, selected: values["unit"] == $0) },
            categories: ws.categoryChoices(selected: values["category"]),
            editing: current.flatMap { c in rows.first { $0.id == c.id } }, values: values, error: error, message: message)
        return try await ws.req.page("officer_templates", title: "templates_title", view, status: status)
    }

    struct Form: Content { var unit: String?; var category: String?; var title: String?; var body: String? }

    /// Creates a template, or (with `:template` in the path) changes one.
    static func save(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(Form.self)
        let values = ["unit": form.unit ?? "", "category": form.category ?? "", "title": form.title ?? "", "body": form.body ?? ""]
        let existing = try await owned(ws)
        let title = (form.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let body = (form.body ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let category = (form.category ?? "").isEmpty ? nil : form.category
        var problem: String?
        if let unit = form.unit, !units(ws).contains(unit) { problem = req.text("templates_error_unit") }
        if form.unit == nil { problem = req.text("templates_error_unit") }
        if let category, ws.reference.categories[category] == nil { problem = req.text("templates_error_category") }
        if !(1...120).contains(title.count) { problem = req.text("templates_error_title") }
        if !(1...5000).contains(body.count) { problem = req.text("templates_error_body") }
        if let problem {
            return try await render(ws, editing: existing?.id, values: values, error: problem, status: .unprocessableEntity)
        }
        let template = existing ?? ResponseTemplate()
        template.unitID = form.unit!
        template.categoryCode = category
        template.title = title
        template.body = body
        template.updatedBy = ws.principal.username
        template.updatedAt = ws.now
        try await template.save(on: req.writeDB)
        return req.redirect(to: SiteURL.officerTemplates.path + "?ok=simpan")
    }

    static func delete(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        guard let template = try await owned(ws) else { throw AppError.notFound(req.text("not_found_page")) }
        try await template.delete(on: req.writeDB)
        return req.redirect(to: SiteURL.officerTemplates.path + "?ok=hapus")
    }

    /// The template named in the path, if the officer keeps its unit; nil when the path names none; 404 otherwise.
    static func owned(_ ws: Workspace) async throws -> ResponseTemplate? {
        guard let raw = ws.req.parameters.get("template") else { return nil }
        guard let id = Int(raw), let template = try await ResponseTemplate.find(id, on: ws.req.db), units(ws).contains(template.unitID) else {
            throw AppError.notFound(ws.req.text("not_found_page"))
        }
        return template
    }
}
