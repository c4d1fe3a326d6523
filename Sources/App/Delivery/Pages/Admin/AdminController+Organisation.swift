import AduanCore
import Fluent
import Foundation
import Vapor

/// The organisation tree: jurisdictions, and the units of one of them with their sub-units.
extension AdminController {
    struct OrganisationView: Encodable, Sendable {
        struct JurisdictionLink: Encodable, Sendable { var href: String; var name: String; var code: String; var depth: Int; var here: Bool }
        struct UnitRow: Encodable, Sendable {
            var id: String; var name: String; var kind: String; var depth: Int; var active: Bool; var parentName: String?
            var index: Int; var renameAction: String; var toggleAction: String
            /// Its other names (aliases), e.g. how SP4N-LAPOR! writes it.
            var aliases: String?
            /// Why the unit cannot be (de)activated now, if it cannot.
            var blockedReason: String?
            var renameError: String?; var toggleError: String?
        }
        var nav: [NavLink]
        var jurisdictions: [JurisdictionLink]
        var code: String
        var name: String
        var units: [UnitRow]
        var createAction: String
        var kinds: [Choice]
        var parents: [Choice]
        var values: [String: String]
        var errors: [String: String]
        var message: String?
        var importAction = ""
        var upload: ImportResult?
    }

    /// What an uploaded organisation CSV changed, would change (a check) or why it was refused, line by line.
    struct ImportResult: Encodable, Sendable {
        var summary: String
        var refused: Bool
        var lines: [String]
    }

    /// What went wrong with the last form, to show next to its fields (or in the row of `unit`).
    struct Feedback: Sendable {
        var values: [String: String] = [:]
        var errors: [String: String] = [:]
        var unit: String?
    }

    static func organisation(_ req: Request, _ ctx: Context) async throws -> Response {
        let jurisdiction = try ctx.jurisdiction(req.parameters.get("jurisdiction"), req)
        return try await renderOrganisation(req, ctx, jurisdiction, Feedback(), status: .ok)
    }

    static func renderOrganisation(_ req: Request, _ ctx: Context, _ jurisdiction: OrgTree.Jurisdiction, _ feedback: Feedback,
                                   upload: ImportResult? = nil, status: HTTPStatus) async throws -> Response {
        let aliases = Dictionary(grouping: try await UnitAlias.query(on: req.db).filter(\.$jurisdictionCode == jurisdiction.code).all(),
                                 by: \.unitID).mapValues { $0.map(\.alias).sorted().joined(separator: " · ") }
        let tree = ctx.tree
        let links = orderedJurisdictions(ctx).map { j, depth in
            OrganisationView.JurisdictionLink(href: SiteURL.Admin.organisation(j.code).path, name: j.name, code: j.code, depth: depth,
                                              here: j.code == jurisdiction.code)
        }
        let ordered = orderedUnits(tree, in: jurisdiction.code)
        let rows = ordered.enumerated().map { index, entry in
            let (unit, depth) = entry
            let here = feedback.unit == unit.id
            let blocked = unit.active ? OrgRules.deactivationProblem(unit.id, tree: tree) : OrgRules.reactivationProblem(unit.id, tree: tree)
            return OrganisationView.UnitRow(
                id: unit.id, name: unit.name, kind: req.text("admin_unit_kind_\(unit.kind.rawValue)"), depth: min(depth, 3), active: unit.active,
                parentName: unit.parent.flatMap { tree.units[$0]?.name }, index: index,
                renameAction: SiteURL.Admin.unit(unit.id, .rename).path,
                toggleAction: SiteURL.Admin.unit(unit.id, unit.active ? .deactivate : .reactivate).path, aliases: aliases[unit.id],
                blockedReason: blocked.map { req.text("admin_unit_error_\($0.rawValue)") },
                renameError: here ? feedback.errors["name"] : nil, toggleError: here ? feedback.errors["active"] : nil)
        }
        let kind = feedback.values["kind"] ?? UnitKind.agency.rawValue
        let parents = ordered.filter { $0.0.active }.map { unit, depth in
            Choice(value: unit.id, label: String(repeating: "— ", count: depth) + unit.name, selected: unit.id == feedback.values["parent"])
        }
        let view = OrganisationView(
            nav: nav(req, ctx, .organisation), jurisdictions: links, code: jurisdiction.code, name: jurisdiction.name, units: rows,
            createAction: SiteURL.Admin.organisation(jurisdiction.code).path,
            kinds: UnitKind.allCases.map { Choice(value: $0.rawValue, label: req.text("admin_unit_kind_\($0.rawValue)"), selected: $0.rawValue == kind) },
            parents: parents, values: feedback.unit == nil ? feedback.values : [:], errors: feedback.unit == nil ? feedback.errors : [:],
            message: doneMessage(req), importAction: SiteURL.Admin.importUnits(jurisdiction.code).path, upload: upload)
        return try await req.page("admin_organisation", title: "admin_section_organisation", view, status: status)
    }

    static func createUnit(_ req: Request, _ ctx: Context) async throws -> Response {
        let jurisdiction = try ctx.jurisdiction(req.parameters.get("jurisdiction"), req)
        let values = ["slug": field(req, "slug"), "name": field(req, "name"), "kind": field(req, "kind"), "parent": field(req, "parent")]
        let kind = UnitKind(rawValue: values["kind"]!)
        let parent = values["parent"]!.isEmpty ? nil : values["parent"]
        let problems = OrgRules.newUnitProblems(jurisdiction: jurisdiction.code, slug: values["slug"]!, name: values["name"]!, kind: kind,
                                                parent: parent, tree: ctx.tree)
        let refuse = { (problems: [UnitProblem]) in
            try await renderOrganisation(req, ctx, jurisdiction, Feedback(values: values, errors: unitErrors(req, problems)), status: .unprocessableEntity)
        }
        guard let kind, problems.isEmpty else { return try await refuse(problems) }
        guard try await OrgAdmin.createUnit(req.application, actor: ctx.actor, jurisdiction: jurisdiction.code, slug: values["slug"]!,
                                            name: values["name"]!, kind: kind, parent: parent) else { return try await refuse([.slugTaken]) }
        return redirect(req, to: SiteURL.Admin.organisation(jurisdiction.code).path, done: "unit_create")
    }

    static func unitAction(_ action: SiteURL.Admin.UnitAction) -> Handler {
        { req, ctx in
            let id = "\(req.parameters.get("jurisdiction") ?? "")/\(req.parameters.get("slug") ?? "")"
            guard let unit = ctx.tree.units[id] else { throw AppError.notFound() }
            let jurisdiction = try ctx.jurisdiction(unit.jurisdiction, req)
            let problem: UnitProblem?
            let name = field(req, "name")
            switch action {
            case .rename: problem = OrgRules.isValidName(name) ? nil : .nameInvalid
            case .deactivate: problem = unit.active ? OrgRules.deactivationProblem(id, tree: ctx.tree) : nil
            case .reactivate: problem = unit.active ? nil : OrgRules.reactivationProblem(id, tree: ctx.tree)
            }
            if let problem {
                return try await renderOrganisation(req, ctx, jurisdiction, Feedback(errors: unitErrors(req, [problem]), unit: id),
                                                    status: .unprocessableEntity)
            }
            let done: String
            switch action {
            case .rename:
                try await OrgAdmin.renameUnit(req.application, actor: ctx.actor, id: id, name: name)
                done = "unit_rename"
            case .deactivate:
                // Already inactive: nothing to change.
                if unit.active { try await OrgAdmin.setUnitActive(req.application, actor: ctx.actor, id: id, active: false) }
                done = "unit_deactivate"
            case .reactivate:
                if !unit.active { try await OrgAdmin.setUnitActive(req.application, actor: ctx.actor, id: id, active: true) }
                done = "unit_reactivate"
            }
            return redirect(req, to: SiteURL.Admin.organisation(jurisdiction.code).path, done: done)
        }
    }

    struct UnitsImportForm: Content {
        var file: File?
        /// `check` (a dry run) or `load`.
        var mode: String?
    }

    /// An organisation CSV (`OrgAdmin.importUnits`): checked, or loaded all or nothing; only jurisdictions this
    /// administrator manages.
    static func importUnits(_ req: Request, _ ctx: Context) async throws -> Response {
        let jurisdiction = try ctx.jurisdiction(req.parameters.get("jurisdiction"), req)
        let form = try? req.content.decode(UnitsImportForm.self)
        func show(_ result: ImportResult, _ status: HTTPStatus) async throws -> Response {
            // The tree as the file left it.
            let fresh = Context(principal: ctx.principal, reference: try await req.reference(), scope: ctx.scope)
            return try await renderOrganisation(req, fresh, jurisdiction, Feedback(), upload: result, status: status)
        }
        guard let file = form?.file, file.data.readableBytes > 0 else {
            return try await show(ImportResult(summary: req.text("admin_import_error_no_file"), refused: true, lines: []), .unprocessableEntity)
        }
        let dryRun = form?.mode == "check"
        let scope = ctx.scope
        let result = try await OrgAdmin.importUnits(req.application, actor: ctx.actor, data: Data(buffer: file.data), filename: file.filename,
                                                    dryRun: dryRun, covers: { scope.covers(jurisdiction: $0) })
        guard let plan = result.plan else {
            let lines = result.errors.map { OrgAdmin.describe($0, catalog: req.application.catalog, language: req.language) }
            return try await show(ImportResult(summary: req.text("org_import_refused", ["n": "\(result.errors.count)"]), refused: true, lines: lines),
                                  .unprocessableEntity)
        }
        var lines: [String] = []
        for change in plan.creates {
            lines.append(req.text("org_import_create", ["line": "\(change.line)", "unit": change.unit, "name": change.name,
                                                        "kind": req.text("admin_unit_kind_\(change.kind.rawValue)")]))
        }
        for change in plan.updates {
            lines.append(req.text("org_import_update", ["line": "\(change.line)", "unit": change.unit, "name": change.name, "old": change.oldName ?? ""]))
        }
        for alias in plan.aliases { lines.append(req.text("org_import_alias", ["line": "\(alias.line)", "unit": alias.unit, "alias": alias.alias])) }
        let counts = ["created": "\(plan.creates.count)", "updated": "\(plan.updates.count)", "aliases": "\(plan.aliases.count)",
                      "unchanged": "\(plan.unchanged)"]
        let summary = req.text(dryRun ? "org_import_checked" : "org_import_done", counts)
        return try await show(ImportResult(summary: summary, refused: false, lines: lines), .ok)
    }

    /// Each problem's message, by its field.
    static func unitErrors(_ req: Request, _ problems: [UnitProblem]) -> [String: String] {
        Dictionary(problems.map { ($0.field, req.text("admin_unit_error_\($0.rawValue)")) }, uniquingKeysWith: { first, _ in first })
    }
}
