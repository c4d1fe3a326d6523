import AduanCore
import Fluent
import Foundation
import Vapor

/// Installation-wide settings: the deadline policy (SPEC §4-5), the roles that must use two-factor, and — read only,
/// because they come from the environment — upload limits and e-mail.
extension AdminController {
    struct SettingsView: Encodable, Sendable {
        struct NumberField: Encodable, Sendable { var name: String; var label: String; var value: String; var min: Int; var max: Int; var error: String? }
        struct Group: Encodable, Sendable { var legend: String; var fields: [NumberField] }
        struct Check: Encodable, Sendable { var name: String; var label: String; var checked: Bool }
        struct Mail: Encodable, Sendable { var server: String; var from: String }
        var nav: [NavLink]
        var groups: [Group]
        var classes: [Choice]
        var classError: String?
        var hasPolicyErrors: Bool
        var policyAction: String
        var roles: [Check]
        var securityAction: String
        var maxAttachmentMB: Int
        var maxAttachments: Int
        var mail: Mail?
        var message: String?
        var map = MapSettings()
    }

    /// The map tiles' form (issue 19): what is saved, or what was typed with the problems beside each field.
    struct MapSettings: Encodable, Sendable {
        var action = ""
        var template = "", attribution = "", lat = "", lng = "", zoom = ""
        var errors: [String: String] = [:]
        var hasErrors: Bool { !errors.isEmpty }
        var minZoom = TileServer.zoomRange.lowerBound, maxZoom = TileServer.zoomRange.upperBound
        enum CodingKeys: String, CodingKey { case action, template, attribution, lat, lng, zoom, errors, hasErrors, minZoom, maxZoom }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(action, forKey: .action); try c.encode(template, forKey: .template); try c.encode(attribution, forKey: .attribution)
            try c.encode(lat, forKey: .lat); try c.encode(lng, forKey: .lng); try c.encode(zoom, forKey: .zoom); try c.encode(errors, forKey: .errors)
            try c.encode(hasErrors, forKey: .hasErrors); try c.encode(minZoom, forKey: .minZoom); try c.encode(maxZoom, forKey: .maxZoom)
        }
    }

    static let policyGroups: [(String, [Policy.Number])] = [
        ("deadlines", [.verificationDays, .responseDays, .infoReplyDays, .reporterWindowDays, .maxExtensionDays]),
        ("resolution", ResolutionClass.allCases.map { .resolutionDays($0) }),
        ("escalation", [.escalateToCoordinatorAfterDays, .escalateToInspectorateAfterDays]),
    ]

    static func settings(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        return try await renderSettings(req, ctx, Feedback(), status: .ok)
    }

    static func renderSettings(_ req: Request, _ ctx: Context, _ feedback: Feedback, status: HTTPStatus,
                               map typed: MapSettings? = nil) async throws -> Response {
        let policy = ctx.reference.policy
        let groups = policyGroups.map { group, numbers in
            SettingsView.Group(legend: req.text("admin_policy_group_\(group)"), fields: numbers.map { number in
                SettingsView.NumberField(name: number.name, label: policyLabel(req, number), value: feedback.values[number.name] ?? String(policy[number]),
                                         min: number.range.lowerBound, max: number.range.upperBound, error: feedback.errors[number.name])
            })
        }
        let defaultClass = feedback.values["default_resolution_class"] ?? policy.defaultResolutionClass.rawValue
        let required = try await OrgAdmin.totpRequiredRoles(on: req.db)
        let mail = try? MailSettings.fromEnvironment()
        var view = SettingsView(
            nav: nav(req, ctx, .settings), groups: groups,
            classes: ResolutionClass.allCases.map { Choice(value: $0.rawValue, label: req.text("admin_class_\($0.rawValue)"), selected: $0.rawValue == defaultClass) },
            classError: feedback.errors["default_resolution_class"], hasPolicyErrors: !feedback.errors.isEmpty,
            policyAction: SiteURL.Admin.policy.path,
            roles: Role.allCases.map { SettingsView.Check(name: "role_\($0.rawValue)", label: roleLabel(req, $0.rawValue), checked: required.contains($0)) },
            securityAction: SiteURL.Admin.security.path,
            maxAttachmentMB: req.application.settings.maxAttachmentBytes / 1_048_576, maxAttachments: req.application.settings.maxAttachments,
            mail: mail.map { SettingsView.Mail(server: "\($0.client.host):\($0.client.port) (\($0.client.security.rawValue))", from: $0.from.description) },
            message: doneMessage(req))
        var map = typed ?? MapSettings()
        if typed == nil {
            // Maps off: the template stays empty; the rest shows OpenStreetMap's defaults, ready to turn maps on again.
            let tiles = ctx.reference.tiles ?? .openStreetMap
            map.template = ctx.reference.tiles == nil ? "" : tiles.template; map.attribution = tiles.attribution
            map.lat = String(tiles.center.lat); map.lng = String(tiles.center.lng); map.zoom = String(tiles.zoom)
        }
        map.action = SiteURL.Admin.map.path
        view.map = map
        return try await req.page("admin_settings", title: "admin_section_settings", view, status: status)
    }

    static func policyLabel(_ req: Request, _ number: Policy.Number) -> String {
        if case .resolutionDays(let resolutionClass) = number {
            return req.text("admin_policy_resolution_days", ["class": req.text("admin_class_\(resolutionClass.rawValue)")])
        }
        return req.text("admin_policy_\(number.name)")
    }

    /// Every field is checked; one problem anywhere saves nothing.
    static func savePolicy(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        var policy = ctx.reference.policy
        var values: [String: String] = [:], errors: [String: String] = [:]
        for number in Policy.Number.all {
            let text = field(req, number.name)
            values[number.name] = text
            if let value = Int(text) { policy[number] = value } else { errors[number.name] = rangeMessage(req, number) }
        }
        for problem in policy.problems() {
            switch problem {
            case .outOfRange(let number): errors[number.name] = errors[number.name] ?? rangeMessage(req, number)
            case .escalationOrder:
                let name = Policy.Number.escalateToInspectorateAfterDays.name
                errors[name] = errors[name] ?? req.text("admin_policy_error_escalation_order")
            }
        }
        values["default_resolution_class"] = field(req, "default_resolution_class")
        if let resolutionClass = ResolutionClass(rawValue: field(req, "default_resolution_class")) {
            policy.defaultResolutionClass = resolutionClass
        } else {
            errors["default_resolution_class"] = req.text("admin_category_error_class")
        }
        guard errors.isEmpty else {
            return try await renderSettings(req, ctx, Feedback(values: values, errors: errors), status: .unprocessableEntity)
        }
        try await OrgAdmin.savePolicy(req.application, actor: ctx.actor, policy)
        return redirect(req, to: SiteURL.Admin.settings.path, done: "policy")
    }

    static func rangeMessage(_ req: Request, _ number: Policy.Number) -> String {
        req.text("admin_policy_error_range", ["min": String(number.range.lowerBound), "max": String(number.range.upperBound)])
    }

    /// An empty tile URL turns maps off (the address alone is asked); otherwise every field is checked and one problem
    /// saves nothing.
    static func saveMap(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        var typed = MapSettings(template: field(req, "map_template"), attribution: field(req, "map_attribution"),
                                lat: field(req, "map_lat"), lng: field(req, "map_lng"), zoom: field(req, "map_zoom"))
        if typed.template.isEmpty {
            try await OrgAdmin.saveMapTiles(req.application, actor: ctx.actor, nil)
            return redirect(req, to: SiteURL.Admin.settings.path, done: "map_off")
        }
        let lat = Double(typed.lat.replacingOccurrences(of: ",", with: ".")), lng = Double(typed.lng.replacingOccurrences(of: ",", with: "."))
        let zoom = Int(typed.zoom)
        let tiles = TileServer(template: typed.template, attribution: typed.attribution.trimmingCharacters(in: .whitespaces),
                               center: GeoPoint(lat: lat ?? .nan, lng: lng ?? .nan), zoom: zoom ?? -1)
        for problem in tiles.problems() { typed.errors[problem.field] = req.text("admin_map_error_\(problem.field)") }
        guard typed.errors.isEmpty else {
            return try await renderSettings(req, ctx, Feedback(), status: .unprocessableEntity, map: typed)
        }
        try await OrgAdmin.saveMapTiles(req.application, actor: ctx.actor, tiles)
        return redirect(req, to: SiteURL.Admin.settings.path, done: "map")
    }

    static func saveSecurity(_ req: Request, _ ctx: Context) async throws -> Response {
        try ctx.requireInstallationWide(req)
        let roles = Set(Role.allCases.filter { field(req, "role_\($0.rawValue)") == "1" })
        try await OrgAdmin.saveTOTPRequiredRoles(req.application, actor: ctx.actor, roles)
        return redirect(req, to: SiteURL.Admin.settings.path, done: "security")
    }
}
