import AduanCore
import Fluent
import Foundation
import Vapor

/// A category's page: its names in both languages, and its Open311 service definition attributes (GeoReport v2 `services/{code}`): the extra questions an Open311
/// client asks with a request. Categories are shared by every jurisdiction, so only an administrator of the whole
/// installation edits them. Saving a code that exists replaces that attribute; every change is audited.
extension AdminController {
    struct AttributesView: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            var code: String; var datatype: String; var required: Bool; var variable: Bool; var description: String
            var order: Int; var values: String; var editHref: String; var deleteAction: String
        }
        var nav: [NavLink]
        var back: String
        var category: String
        var name: String
        var rows: [Row]
        /// The names form: its action, what it shows (the saved names, or what was typed) and its errors.
        var namesAction: String
        var names: [String: String]
        var nameErrors: [String: String]
        var saveAction: String
        var datatypes: [Choice]
        var values: [String: String]
        var errors: [String: String]
        var editing: Bool
        var message: String?
    }

    static func attributeCategory(_ req: Request, _ ctx: Context) throws -> String {
        try ctx.requireInstallationWide(req)
        return try category(req, ctx)
    }

    static func categoryAttributes(_ req: Request, _ ctx: Context) async throws -> Response {
        let code = try attributeCategory(req, ctx)
        let list = try await CategoryAttribute.of(code, on: req.db)
        var values = ["datatype": "string", "variable": "1", "order": String((list.map(\.order).max() ?? 0) + 1)]
        if let edit = req.query[String.self, at: "ubah"], let a = list.first(where: { $0.code == edit }) {
            values = ["code": a.code, "datatype": a.datatype.rawValue, "required": a.required ? "1" : "", "variable": a.variable ? "1" : "",
                      "description": a.description, "datatype_description": a.datatypeDescription ?? "", "order": String(a.order),
                      "values": a.values.map { "\($0.key)=\($0.name)" }.joined(separator: "\n")]
        }
        return try await renderAttributes(req, ctx, code, list, Feedback(values: values), status: .ok)
    }

    static let maxCategoryName = 120

    static func setCategoryNames(_ req: Request, _ ctx: Context) async throws -> Response {
        let code = try attributeCategory(req, ctx)
        let typed = ["name": field(req, "name"), "name_en": field(req, "name_en")]
        let name = typed["name"]!.trimmingCharacters(in: .whitespacesAndNewlines)
        let english = typed["name_en"]!.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [String: String] = [:]
        func acceptable(_ text: String) -> Bool { text.count <= maxCategoryName && !text.unicodeScalars.contains { $0.properties.generalCategory == .control } }
        if name.isEmpty || !acceptable(name) { errors["name"] = req.text("admin_category_error_name") }
        if !acceptable(english) { errors["name_en"] = req.text("admin_category_error_name_en") }
        guard errors.isEmpty else {
            return try await renderAttributes(req, ctx, code, try await CategoryAttribute.of(code, on: req.db), Feedback(),
                                              names: Feedback(values: typed, errors: errors), status: .unprocessableEntity)
        }
        try await OrgAdmin.setCategoryNames(req.application, actor: ctx.actor, category: code, name: name, nameEn: english.isEmpty ? nil : english)
        return redirect(req, to: SiteURL.Admin.categoryAttributes(code, edit: nil).path, done: "category_names")
    }

    static func renderAttributes(_ req: Request, _ ctx: Context, _ code: String, _ list: [ServiceAttribute], _ feedback: Feedback,
                                 names: Feedback? = nil, status: HTTPStatus) async throws -> Response {
        let info = ctx.reference.categories[code]
        let rows = list.map { a in
            AttributesView.Row(code: a.code, datatype: a.datatype.rawValue, required: a.required, variable: a.variable, description: a.description,
                               order: a.order, values: a.values.map { "\($0.key) = \($0.name)" }.joined(separator: "; "),
                               editHref: SiteURL.Admin.categoryAttributes(code, edit: a.code).path,
                               deleteAction: SiteURL.Admin.deleteCategoryAttribute(code, a.code).path)
        }
        let chosen = feedback.values["datatype"] ?? "string"
        let view = AttributesView(
            nav: nav(req, ctx, .categories), back: SiteURL.Admin.categories(nil).path, category: code, name: info?.name(req.language) ?? code,
            rows: rows, namesAction: SiteURL.Admin.categoryNames(code).path,
            names: names?.values ?? ["name": info?.name ?? "", "name_en": info?.nameEn ?? ""], nameErrors: names?.errors ?? [:],
            saveAction: SiteURL.Admin.categoryAttributes(code, edit: nil).path,
            datatypes: ServiceAttribute.DataType.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == chosen) },
            values: feedback.values, errors: feedback.errors, editing: list.contains { $0.code == feedback.values["code"] },
            message: doneMessage(req))
        return try await req.page("admin_category_attributes", title: "admin_category", view, status: status)
    }

    static func saveCategoryAttribute(_ req: Request, _ ctx: Context) async throws -> Response {
        let code = try attributeCategory(req, ctx)
        let names = ["code", "datatype", "required", "variable", "description", "datatype_description", "order", "values"]
        let values = Dictionary(uniqueKeysWithValues: names.map { ($0, field(req, $0)) })
        var errors: [String: String] = [:]
        let datatype = ServiceAttribute.DataType(rawValue: values["datatype"]!)
        if datatype == nil { errors["datatype"] = req.text("admin_attribute_error_datatype") }
        let order = Int(values["order"]!) ?? 0
        let attribute = ServiceAttribute(
            code: values["code"]!, datatype: datatype ?? .string, required: values["required"] == "1", variable: values["variable"] == "1",
            description: values["description"]!, datatypeDescription: values["datatype_description"]!.isEmpty ? nil : values["datatype_description"],
            order: order, values: ServiceAttributes.parseValues(values["values"]!))
        if (values["datatype_description"] ?? "").count > ServiceAttributes.maxString { errors["datatype_description"] = req.text("admin_attribute_error_description") }
        for problem in ServiceAttributes.problems(attribute) where errors[problem.field] == nil {
            errors[problem.field] = req.text("admin_attribute_error_\(problem.field)")
        }
        guard errors.isEmpty else {
            return try await renderAttributes(req, ctx, code, try await CategoryAttribute.of(code, on: req.db), Feedback(values: values, errors: errors),
                                              status: .unprocessableEntity)
        }
        let detail = "\(code) \(attribute.code) \(attribute.datatype.rawValue) required=\(attribute.required) variable=\(attribute.variable) order=\(attribute.order) values=\(attribute.values.map(\.key).joined(separator: ","))"
        try await OrgAdmin.change(req.application, actor: ctx.actor, action: "category_attribute_save", detail: detail) { db in
            if let row = try await CategoryAttribute.query(on: db).filter(\.$categoryCode == code).filter(\.$code == attribute.code).first() {
                row.apply(attribute)
                try await row.update(on: db)
            } else {
                try await CategoryAttribute(category: code, attribute).create(on: db)
            }
        }
        return redirect(req, to: SiteURL.Admin.categoryAttributes(code, edit: nil).path, done: "attribute_save")
    }

    static func deleteCategoryAttribute(_ req: Request, _ ctx: Context) async throws -> Response {
        let code = try attributeCategory(req, ctx)
        let attribute = req.parameters.get("attribute") ?? ""
        guard try await CategoryAttribute.query(on: req.db).filter(\.$categoryCode == code).filter(\.$code == attribute).count() > 0 else {
            throw AppError.notFound()
        }
        // Answers already given stay with their complaints; only the question goes.
        try await OrgAdmin.change(req.application, actor: ctx.actor, action: "category_attribute_delete", detail: "\(code) \(attribute)") { db in
            try await CategoryAttribute.query(on: db).filter(\.$categoryCode == code).filter(\.$code == attribute).delete()
        }
        return redirect(req, to: SiteURL.Admin.categoryAttributes(code, edit: nil).path, done: "attribute_delete")
    }
}
