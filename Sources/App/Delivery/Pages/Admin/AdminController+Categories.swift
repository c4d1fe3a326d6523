import AduanCore
import Fluent
import Foundation
import Vapor

/// The category tree: each category's default resolution class (shared by every jurisdiction, so installation-wide)
/// and the unit that usually handles it in one jurisdiction.
extension AdminController {
    struct CategoriesView: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            var code: String; var name: String; var depth: Int; var index: Int
            /// No English name yet: the English pages fall back to the Indonesian one.
            var missingEnglish: Bool
            var resolutionClass: String; var classes: [Choice]; var classAction: String; var classError: String?
            var unitName: String?; var units: [Choice]; var unitAction: String; var unitError: String?
            var attributesHref: String; var attributeCount: Int
        }
        var nav: [NavLink]
        var jurisdictions: [Choice]
        var filterAction: String
        var code: String
        var name: String
        var canEditClass: Bool
        var rows: [Row]
        var message: String?
    }

    static func categories(_ req: Request, _ ctx: Context) async throws -> Response {
        let jurisdiction = try ctx.jurisdiction(req.query[String.self, at: "j"], req)
        return try await renderCategories(req, ctx, jurisdiction, Feedback(), status: .ok)
    }

    /// `feedback.unit` names the category whose row shows `feedback.errors` (`resolution_class` or `unit`).
    static func renderCategories(_ req: Request, _ ctx: Context, _ jurisdiction: OrgTree.Jurisdiction, _ feedback: Feedback,
                                 status: HTTPStatus) async throws -> Response {
        let categories = ctx.reference.categories
        var ordered: [(String, Int)] = []
        func visit(_ code: String, _ depth: Int) {
            ordered.append((code, depth))
            for child in categories.filter({ $0.value.parent == code }).keys.sorted() { visit(child, depth + 1) }
        }
        for root in categories.filter({ $0.value.parent.flatMap { categories[$0] } == nil }).keys.sorted() { visit(root, 0) }

        let units = orderedUnits(ctx.tree, in: jurisdiction.code)
        let attributes = try await CategoryAttribute.all(on: req.db)
        let rows = ordered.enumerated().map { index, entry in
            let (code, depth) = entry
            let info = categories[code]!
            let current = ctx.reference.categoryUnits["\(code)@\(jurisdiction.code)"]
            let here = feedback.unit == code
            // An inactive default stays listed, marked, so saving another row never clears it silently.
            let unitOptions = units.filter { $0.0.active || $0.0.id == current }.map { unit, depth in
                Choice(value: unit.id, label: String(repeating: "— ", count: depth) + unit.name + (unit.active ? "" : " (\(req.text("admin_inactive")))"),
                       selected: unit.id == current)
            }
            return CategoriesView.Row(
                code: code, name: info.name(req.language), depth: min(depth, 3), index: index,
                missingEnglish: ctx.scope.isInstallationWide && info.nameEn == nil,
                resolutionClass: req.text("admin_class_\(info.resolutionClass.rawValue)"),
                classes: ResolutionClass.allCases.map {
                    Choice(value: $0.rawValue, label: req.text("admin_class_\($0.rawValue)"), selected: $0 == info.resolutionClass)
                },
                classAction: SiteURL.Admin.categoryClass(code).path, classError: here ? feedback.errors["resolution_class"] : nil,
                unitName: current.map { ctx.tree.units[$0]?.name ?? $0 }, units: unitOptions,
                unitAction: SiteURL.Admin.categoryUnit(code).path, unitError: here ? feedback.errors["unit"] : nil,
                attributesHref: SiteURL.Admin.categoryAttributes(code, edit: nil).path, attributeCount: attributes[code]?.count ?? 0)
        }
        let view = CategoriesView(nav: nav(req, ctx, .categories), jurisdictions: jurisdictionOptions(ctx, selected: jurisdiction.code),
                                  filterAction: SiteURL.Admin.categories(nil).path, code: jurisdiction.code, name: jurisdiction.name,
                                  canEditClass: ctx.scope.isInstallationWide, rows: rows, message: doneMessage(req))
        return try await req.page("admin_categories", title: "admin_section_categories", view, status: status)
    }

    static func category(_ req: Request, _ ctx: Context) throws -> String {
        guard let code = req.parameters.get("code"), ctx.reference.categories[code] != nil else { throw AppError.notFound() }
        return code
    }

    static func setCategoryClass(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let code = try category(req, ctx)
        let jurisdiction = try ctx.jurisdiction(optionalField(req, "jurisdiction"), req)
        guard let resolutionClass = ResolutionClass(rawValue: field(req, "resolution_class")) else {
            return try await renderCategories(req, ctx, jurisdiction, Feedback(errors: ["resolution_class": req.text("admin_category_error_class")], unit: code),
                                              status: .unprocessableEntity)
        }
        try await OrgAdmin.setResolutionClass(req.application, actor: ctx.actor, category: code, resolutionClass)
        return redirect(req, to: SiteURL.Admin.categories(jurisdiction.code).path, done: "category_class")
    }

    static func setCategoryUnit(_ req: Request, _ ctx: Context) async throws -> Response {
        let code = try category(req, ctx)
        let jurisdiction = try ctx.jurisdiction(optionalField(req, "jurisdiction"), req)
        let unit = field(req, "unit")
        if !unit.isEmpty {
            guard let chosen = ctx.tree.units[unit], chosen.jurisdiction == jurisdiction.code, chosen.active else {
                return try await renderCategories(req, ctx, jurisdiction, Feedback(errors: ["unit": req.text("admin_category_error_unit")], unit: code),
                                                  status: .unprocessableEntity)
            }
        }
        try await OrgAdmin.setDefaultUnit(req.application, actor: ctx.actor, category: code, jurisdiction: jurisdiction.code,
                                          unit: unit.isEmpty ? nil : unit)
        return redirect(req, to: SiteURL.Admin.categories(jurisdiction.code).path, done: "category_unit")
    }
}
