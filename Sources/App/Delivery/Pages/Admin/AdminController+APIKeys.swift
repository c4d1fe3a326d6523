import AduanCore
import Fluent
import Foundation
import Vapor

/// Integration API keys (issue 8): list, create (the key is shown once), change scopes, bound scope and rate limit,
/// revoke, and the per-day usage of the last 30 days. Keys reach every jurisdiction's data, so only an administrator
/// of the whole installation manages them. Every change is audited (`apikey_create`, `apikey_update`, `apikey_revoke`).
extension AdminController {
    struct APIKeysView: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            var href: String; var name: String; var scopes: String; var scope: String?; var rateLimit: String
            var created: String; var lastUsed: String?; var uses: Int; var refused: Int; var active: Bool
        }
        var nav: [NavLink]
        var rows: [Row]
        var form: KeyForm
        var createAction: String
        /// The new key, shown once right after it was made.
        var createdKey: String?
        var createdName: String?
        var message: String?
    }

    /// The create and edit form: scope checkboxes, the bound scope, the limit, each with its error.
    struct KeyForm: Encodable, Sendable {
        struct Check: Encodable, Sendable { var name: String; var code: String; var label: String; var checked: Bool }
        var name: String
        var scopes: [Check]
        var boundGroups: [ChoiceGroup]
        var boundNone: Bool
        var rateLimit: String
        var errors: [String: String]
    }

    struct APIKeyView: Encodable, Sendable {
        struct Day: Encodable, Sendable { var day: String; var uses: Int; var refused: Int }
        var nav: [NavLink]
        var back: String
        var name: String
        var id: String
        var active: Bool
        var scopes: String
        var scope: String?
        var rateLimit: String
        var created: String
        var lastUsed: String?
        var uses: Int
        var refused: Int
        var form: KeyForm
        var updateAction: String
        var revokeAction: String
        var days: [Day]
        var totalUses: Int
        var totalRefused: Int
        var message: String?
    }

    static func apiKeys(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        return try await renderAPIKeys(req, ctx, Feedback(values: ["rate_limit": String(APIKeys.defaultRateLimit)]), created: nil, status: .ok)
    }

    static func renderAPIKeys(_ req: Request, _ ctx: Context, _ feedback: Feedback, created: (name: String, key: String)?,
                              status: HTTPStatus) async throws -> Response {
        let wording = ctx.wording(req)
        let keys = try await APIKey.query(on: req.db).sort(\.$active, .descending).sort(\.$createdAt, .descending).all()
        let rows = keys.map { k in
            APIKeysView.Row(href: SiteURL.Admin.apiKey(k.id!).path, name: k.name, scopes: k.scopeSet.sorted().map(\.rawValue).joined(separator: ", "),
                            scope: k.scope, rateLimit: limitText(req, k.rateLimit), created: wording.dateTime(k.createdAt),
                            lastUsed: k.lastUsedAt.map(wording.dateTime), uses: k.useCount, refused: k.refusedCount, active: k.active)
        }
        let view = APIKeysView(nav: nav(req, ctx, .apiKeys), rows: rows, form: keyForm(req, ctx, feedback), createAction: SiteURL.Admin.apiKeys.path,
                               createdKey: created?.key, createdName: created?.name, message: doneMessage(req))
        return try await req.page("admin_api_keys", title: "admin_section_api_keys", view, status: status)
    }

    static func limitText(_ req: Request, _ limit: Int) -> String {
        limit == 0 ? req.text("admin_apikey_unlimited") : req.text("admin_apikey_per_minute", ["n": String(limit)])
    }

    /// `feedback.values` holds the form's text (`name`, `scope`, `rate_limit`, one `s_<scope>` per ticked scope).
    static func keyForm(_ req: Request, _ ctx: Context, _ feedback: Feedback) -> KeyForm {
        let bound = feedback.values["scope"] ?? ""
        let groups = orderedJurisdictions(ctx).map { j, _ in
            ChoiceGroup(label: "\(j.name) (\(j.code))", options: [Choice(value: j.code, label: "\(j.name) (\(j.code))", selected: bound == j.code)]
                + orderedUnits(ctx.tree, in: j.code).filter { $0.0.active || $0.0.id == bound }.map { unit, depth in
                    Choice(value: unit.id, label: String(repeating: "— ", count: depth + 1) + "\(unit.name) (\(unit.id))", selected: bound == unit.id)
                })
        }
        return KeyForm(name: feedback.values["name"] ?? "",
                       scopes: APIKeyScope.allCases.map { s in
                           KeyForm.Check(name: "s_\(s.rawValue)", code: s.rawValue, label: req.text("admin_apikey_scope_\(s.rawValue.replacingOccurrences(of: "-", with: "_"))"),
                                         checked: feedback.values["s_\(s.rawValue)"] == "1")
                       },
                       boundGroups: groups, boundNone: bound.isEmpty, rateLimit: feedback.values["rate_limit"] ?? "", errors: feedback.errors)
    }

    /// Reads the form into a key definition, or the form's values with an error for each bad field.
    static func readKeyForm(_ req: Request, _ ctx: Context, withName: Bool) -> (APIKeys.Definition?, Feedback) {
        var values: [String: String] = ["scope": field(req, "scope"), "rate_limit": field(req, "rate_limit")]
        if withName { values["name"] = field(req, "name") }
        let scopes = APIKeyScope.allCases.filter { field(req, "s_\($0.rawValue)") == "1" }
        for s in scopes { values["s_\(s.rawValue)"] = "1" }
        var errors: [String: String] = [:]
        if withName, let name = values["name"], name.isEmpty || name.count > 120 { errors["name"] = req.text("admin_apikey_error_name") }
        if scopes.isEmpty { errors["scopes"] = req.text("admin_apikey_error_scopes") }
        var limit = APIKeys.defaultRateLimit
        do { limit = try APIKeys.parseRateLimit(values["rate_limit"]) } catch { errors["rate_limit"] = req.text("admin_apikey_error_rate_limit") }
        var definition: APIKeys.Definition?
        if errors["scopes"] == nil {
            do {
                definition = try APIKeys.define(scopes: scopes, bound: values["scope"], rateLimit: limit, tree: ctx.tree)
            } catch let error as AppError {
                errors[error.field ?? "scope"] = req.text("admin_apikey_error_\(error.field ?? "scope")")
            } catch {
                errors["scope"] = req.text("admin_apikey_error_scope")
            }
        }
        return (errors.isEmpty ? definition : nil, Feedback(values: values, errors: errors))
    }

    static func createAPIKey(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let (definition, feedback) = readKeyForm(req, ctx, withName: true)
        guard let definition else { return try await renderAPIKeys(req, ctx, feedback, created: nil, status: .unprocessableEntity) }
        let name = feedback.values["name"] ?? ""
        let created = try await APIKeys.create(req.application, name: name, definition, actor: ctx.actor)
        // Shown on this answer only (never in an address or a log); the form starts empty again.
        let response = try await renderAPIKeys(req, ctx, Feedback(values: ["rate_limit": String(APIKeys.defaultRateLimit)]),
                                               created: (name, created.key), status: .created)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func loadAPIKey(_ req: Request, _ ctx: Context) async throws -> APIKey {
        try ctx.requireInstallationWide(req)
        guard let id = req.parameters.get("key_id", as: UUID.self), let key = try await APIKey.find(id, on: req.db) else { throw AppError.notFound() }
        return key
    }

    static func apiKey(_ req: Request, _ ctx: Context) async throws -> Response {
        let key = try await loadAPIKey(req, ctx)
        var values = ["scope": key.scope ?? "", "rate_limit": String(key.rateLimit)]
        for s in key.scopeSet { values["s_\(s.rawValue)"] = "1" }
        return try await renderAPIKey(req, ctx, key, Feedback(values: values), status: .ok)
    }

    static func renderAPIKey(_ req: Request, _ ctx: Context, _ key: APIKey, _ feedback: Feedback, status: HTTPStatus) async throws -> Response {
        let wording = ctx.wording(req)
        let id = key.id!
        let days = try await APIKeys.usage(id, now: req.application.clock.now, on: req.db)
        let view = APIKeyView(
            nav: nav(req, ctx, .apiKeys), back: SiteURL.Admin.apiKeys.path, name: key.name, id: id.uuidString.lowercased(), active: key.active,
            scopes: key.scopeSet.sorted().map(\.rawValue).joined(separator: ", "), scope: key.scope, rateLimit: limitText(req, key.rateLimit),
            created: wording.dateTime(key.createdAt), lastUsed: key.lastUsedAt.map(wording.dateTime), uses: key.useCount, refused: key.refusedCount,
            form: keyForm(req, ctx, feedback), updateAction: SiteURL.Admin.apiKey(id).path, revokeAction: SiteURL.Admin.revokeAPIKey(id).path,
            days: days.reversed().map { APIKeyView.Day(day: wording.day($0.day), uses: $0.uses, refused: $0.refused) },
            totalUses: days.reduce(0) { $0 + $1.uses }, totalRefused: days.reduce(0) { $0 + $1.refused }, message: doneMessage(req))
        return try await req.page("admin_api_key", title: "admin_section_api_keys", view, status: status)
    }

    static func updateAPIKey(_ req: Request, _ ctx: Context) async throws -> Response {
        let key = try await loadAPIKey(req, ctx)
        guard key.active else { throw AppError.conflict(req.text("admin_apikey_error_revoked")) }
        let (definition, feedback) = readKeyForm(req, ctx, withName: false)
        guard let definition else { return try await renderAPIKey(req, ctx, key, feedback, status: .unprocessableEntity) }
        try await APIKeys.update(req.application, id: key.id!, definition, actor: ctx.actor)
        return redirect(req, to: SiteURL.Admin.apiKey(key.id!).path, done: "apikey_update")
    }

    static func revokeAPIKey(_ req: Request, _ ctx: Context) async throws -> Response {
        let key = try await loadAPIKey(req, ctx)
        try await APIKeys.revoke(req.application, id: key.id!, actor: ctx.actor)
        return redirect(req, to: SiteURL.Admin.apiKey(key.id!).path, done: "apikey_revoke")
    }
}
