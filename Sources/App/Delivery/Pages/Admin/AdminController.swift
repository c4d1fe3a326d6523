import AduanCore
import Fluent
import Foundation
import Vapor

/// The system administrator's pages under `/petugas/admin`: organisation tree, officers and their roles, categories,
/// calendars and settings (SPEC §1 sysadmin, §2). Only officers holding `sysadmin` get in, and only for the
/// jurisdictions of their scopes and those below them (`AdminScope`). Nothing here reads complaint content.
enum AdminController {
    static func register(_ officer: any RoutesBuilder) {
        let admin = officer.grouped("admin")
        admin.get(use: guarded(home))

        admin.get("organisasi", use: guarded(organisation))
        admin.get("organisasi", ":jurisdiction", use: guarded(organisation))
        admin.post("organisasi", ":jurisdiction", use: guarded(createUnit))
        admin.upload(.POST, "organisasi", ":jurisdiction", "impor", maxSize: 2 * 1_048_576, use: guarded(importUnits))
        for action in SiteURL.Admin.UnitAction.allCases {
            admin.post("unit", ":jurisdiction", ":slug", PathComponent(stringLiteral: action.rawValue), use: guarded(unitAction(action)))
        }

        admin.get("pengguna", use: guarded(users))
        admin.post("pengguna", use: guarded(createUser))
        admin.get("pengguna", ":username", use: guarded(user))
        for action in SiteURL.Admin.UserAction.allCases {
            admin.post("pengguna", ":username", PathComponent(stringLiteral: action.rawValue), use: guarded(userAction(action)))
        }
        admin.post("pengguna", ":username", "peran", ":role_id", "hapus", use: guarded(removeRole))
        admin.post("pengguna", ":username", "permintaan", ":grant_id", "setujui", use: guarded(decideGrant(approve: true)))
        admin.post("pengguna", ":username", "permintaan", ":grant_id", "tolak", use: guarded(decideGrant(approve: false)))

        admin.get("kategori", use: guarded(categories))
        admin.post("kategori", ":code", "kelas", use: guarded(setCategoryClass))
        admin.post("kategori", ":code", "unit", use: guarded(setCategoryUnit))
        admin.get("kategori", ":code", "atribut", use: guarded(categoryAttributes))
        admin.post("kategori", ":code", "atribut", use: guarded(saveCategoryAttribute))
        admin.post("kategori", ":code", "atribut", ":attribute", "hapus", use: guarded(deleteCategoryAttribute))

        admin.get("kalender", use: guarded(calendar))
        admin.get("kalender", ":calendar", use: guarded(calendar))
        admin.post("kalender", ":calendar", "hari-kerja", use: guarded(setWorkingWeek))
        admin.post("kalender", ":calendar", "libur", use: guarded(addHoliday))
        admin.post("kalender", ":calendar", "libur", ":holiday_id", "hapus", use: guarded(deleteHoliday))
        admin.upload(.POST, "kalender", ":calendar", "impor", maxSize: 2 * 1_048_576, use: guarded(importHolidays))

        admin.get("pengaturan", use: guarded(settings))
        admin.post("pengaturan", "tenggat", use: guarded(savePolicy))
        admin.post("pengaturan", "keamanan", use: guarded(saveSecurity))

        admin.get("pesan", use: guarded(messages))
        admin.post("pesan", "uji", use: guarded(testMail))
        admin.post("pesan", "pengaturan", use: guarded(saveDelivery))
        admin.post("pesan", "pengaturan", "hapus", use: guarded(clearDelivery))
        admin.post("pesan", "ulang-semua", use: guarded(retryMessages(all: true)))
        admin.post("pesan", ":message_id", "ulang", use: guarded(retryMessages(all: false)))
        admin.get("pesan", "templat", ":kind", ":lang", use: guarded(messageTemplate))
        admin.post("pesan", "templat", ":kind", ":lang", use: guarded(saveMessageTemplate))
        admin.post("pesan", "templat", ":kind", ":lang", "asli", use: guarded(resetMessageTemplate))
        registerWebhooks(admin)

        admin.get("kunci-api", use: guarded(apiKeys))
        admin.post("kunci-api", use: guarded(createAPIKey))
        admin.get("kunci-api", ":key_id", use: guarded(apiKey))
        admin.post("kunci-api", ":key_id", use: guarded(updateAPIKey))
        admin.post("kunci-api", ":key_id", "cabut", use: guarded(revokeAPIKey))
        registerTriage(admin)
    }

    // MARK: Who may come in

    /// The signed-in administrator, what they manage, and the reference data that was decided on.
    struct Context: Sendable {
        let principal: OfficerPrincipal
        let reference: ReferenceData
        let scope: AdminScope
        var actor: String { principal.username }
        var tree: OrgTree { reference.tree }

        /// The administrator's first jurisdiction (the province for the province's sysadmin): the pages' default.
        var home: String { scope.jurisdictions.sorted().first ?? reference.defaultJurisdiction }

        /// The jurisdiction named in the request (or the default): 404 when unknown, 403 when outside the scope.
        func jurisdiction(_ code: String?, _ req: Request) throws -> OrgTree.Jurisdiction {
            guard let jurisdiction = tree.jurisdictions[code ?? home] else { throw AppError.notFound() }
            guard scope.covers(jurisdiction: jurisdiction.code) else { throw AppError.forbidden(req.text("admin_error_outside")) }
            return jurisdiction
        }

        /// What every jurisdiction shares is for an administrator of them all.
        func requireInstallationWide(_ req: Request) throws {
            guard scope.isInstallationWide else { throw AppError.forbidden(req.text("admin_error_installation")) }
        }

        func wording(_ req: Request) -> Wording { Wording(req, timeZone: reference.calendar(for: home).timeZone) }
    }

    typealias Handler = @Sendable (Request, Context) async throws -> Response

    /// Signed out: to the sign-in page. Signed in without a sysadmin scope: 403 (an HTML page).
    static func guarded(_ handler: @escaping Handler) -> @Sendable (Request) async throws -> Response {
        { req in
            guard let principal = req.auth.get(OfficerPrincipal.self) else { return req.redirect(to: SiteURL.officerSignIn.path) }
            let reference = try await req.reference()
            let scope = AdminScope(officer: principal.officer, tree: reference.tree)
            guard scope.isAdministrator else { throw AppError.forbidden(req.text("admin_error_forbidden")) }
            return try await handler(req, Context(principal: principal, reference: reference, scope: scope))
        }
    }

    // MARK: Shared view pieces

    struct NavLink: Encodable, Sendable { var href: String; var label: String; var here: Bool }

    /// The parts of the administration, in the order of the navigation.
    enum Section: String, CaseIterable {
        case home, organisation, users, categories, calendar, settings, messages
        case apiKeys = "api_keys"
        case triage

        var path: String {
            switch self {
            case .home: return SiteURL.Admin.home.path
            case .organisation: return SiteURL.Admin.organisation(nil).path
            case .users: return SiteURL.Admin.users.path
            case .categories: return SiteURL.Admin.categories(nil).path
            case .calendar: return SiteURL.Admin.calendar(nil).path
            case .settings: return SiteURL.Admin.settings.path
            case .messages: return SiteURL.Admin.messages.path
            case .apiKeys: return SiteURL.Admin.apiKeys.path
            case .triage: return SiteURL.Admin.triage(nil).path
            }
        }
    }

    /// The sections this administrator may open: settings are installation-wide.
    static func sections(_ ctx: Context) -> [Section] {
        Section.allCases.filter { ($0 != .settings && $0 != .messages && $0 != .apiKeys) || ctx.scope.isInstallationWide }
    }

    static func nav(_ req: Request, _ ctx: Context, _ here: Section) -> [NavLink] {
        sections(ctx).map { NavLink(href: $0.path, label: req.text("admin_section_\($0.rawValue)"), here: $0 == here) }
    }

    /// The confirmation named by `?ok=` after a redirect, when the catalogue has one, with its `{placeholders}` filled in.
    static func doneMessage(_ req: Request, _ values: [String: String] = [:]) -> String? {
        guard let done = req.query[String.self, at: "ok"], done.allSatisfy({ $0.isLetter || $0 == "_" }),
              req.application.catalog.table(req.language)["admin_done_\(done)"] != nil else { return nil }
        return req.text("admin_done_\(done)", values)
    }

    /// After a change: back to the page, which confirms it (`done` names the message, `counts` fill it in).
    static func redirect(_ req: Request, to path: String, done: String, _ counts: KeyValuePairs<String, Int> = [:]) -> Response {
        let query = (["ok=\(done)"] + counts.map { "\($0.key)=\($0.value)" }).joined(separator: "&")
        return req.redirect(to: path + (path.contains("?") ? "&" : "?") + query)
    }

    /// Form fields as trimmed text; absent fields are empty.
    static func field(_ req: Request, _ name: String) -> String {
        ((try? req.content.get(String.self, at: name)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A form field's trimmed text, nil when absent or empty.
    static func optionalField(_ req: Request, _ name: String) -> String? {
        let value = field(req, name)
        return value.isEmpty ? nil : value
    }

    /// The administrator's jurisdictions as options, each kabupaten/kota after its province.
    static func jurisdictionOptions(_ ctx: Context, selected: String?) -> [Choice] {
        orderedJurisdictions(ctx).map { j, depth in
            Choice(value: j.code, label: String(repeating: "— ", count: depth) + "\(j.name) (\(j.code))", selected: j.code == selected)
        }
    }

    /// The administrator's jurisdictions in tree order, with their depth below the first one shown.
    static func orderedJurisdictions(_ ctx: Context) -> [(OrgTree.Jurisdiction, Int)] {
        let managed = ctx.tree.jurisdictions.values.filter { ctx.scope.covers(jurisdiction: $0.code) }
        var result: [(OrgTree.Jurisdiction, Int)] = []
        func visit(_ j: OrgTree.Jurisdiction, _ depth: Int) {
            result.append((j, depth))
            for child in managed.filter({ $0.parent == j.code }).sorted(by: { $0.code < $1.code }) { visit(child, depth + 1) }
        }
        for root in managed.filter({ $0.parent.map { !ctx.scope.covers(jurisdiction: $0) } ?? true }).sorted(by: { $0.code < $1.code }) {
            visit(root, 0)
        }
        return result
    }

    /// Units of one jurisdiction in tree order (coordinator and inspectorate first, then by name), with their depth.
    static func orderedUnits(_ tree: OrgTree, in jurisdiction: String) -> [(OrgTree.Unit, Int)] {
        let units = tree.units.values.filter { $0.jurisdiction == jurisdiction }
        let kindOrder: [UnitKind: Int] = [.coordinator: 0, .inspectorate: 1, .agency: 2, .subunit: 3]
        func sorted(_ list: [OrgTree.Unit]) -> [OrgTree.Unit] {
            list.sorted { (kindOrder[$0.kind] ?? 9, $0.name) < (kindOrder[$1.kind] ?? 9, $1.name) }
        }
        var result: [(OrgTree.Unit, Int)] = []
        func visit(_ unit: OrgTree.Unit, _ depth: Int) {
            result.append((unit, depth))
            for child in sorted(units.filter { $0.parent == unit.id }) { visit(child, depth + 1) }
        }
        for root in sorted(units.filter { $0.parent.flatMap { tree.units[$0] } == nil }) { visit(root, 0) }
        return result
    }

    // MARK: Overview

    struct HomeView: Encodable, Sendable {
        struct Entry: Encodable, Sendable { var href: String; var title: String; var text: String }
        var nav: [NavLink]
        var jurisdictions: [String]
        var entries: [Entry]
    }

    static func home(_ req: Request, _ ctx: Context) async throws -> Response {
        let entries = sections(ctx).dropFirst().map {
            HomeView.Entry(href: $0.path, title: req.text("admin_section_\($0.rawValue)"), text: req.text("admin_section_\($0.rawValue)_text"))
        }
        let jurisdictions = orderedJurisdictions(ctx).map { "\($0.0.name) (\($0.0.code))" }
        return try await req.page("admin_home", title: "admin_title", HomeView(nav: nav(req, ctx, .home), jurisdictions: jurisdictions, entries: entries))
    }
}

extension SiteURL {
    /// Paths of the sysadmin's pages (`AdminController`).
    enum Admin {
        enum UnitAction: String, CaseIterable { case rename = "nama", deactivate = "nonaktifkan", reactivate = "aktifkan" }
        enum UserAction: String, CaseIterable {
            case addRole = "peran", deactivate = "nonaktifkan", reactivate = "aktifkan", unlock = "buka-kunci", resetTwoFactor = "reset-2fa"
        }

        case home
        /// The tree of one jurisdiction (nil: the administrator's first); posting to it creates a unit there.
        case organisation(String?)
        case unit(String, UnitAction)
        /// An organisation CSV uploaded from a jurisdiction's page (checked, or loaded).
        case importUnits(String)
        case users
        case user(String)
        case userAction(String, UserAction)
        case removeRole(String, Int)
        /// Approving or refusing a pending role grant (`RoleGrants`).
        case decideGrant(String, Int, approve: Bool)
        /// The category list with the default units of one jurisdiction (nil: the administrator's first).
        case categories(String?)
        case categoryClass(String)
        case categoryUnit(String)
        /// A category's Open311 attributes; `edit` fills the form with one of them.
        case categoryAttributes(String, edit: String?)
        case deleteCategoryAttribute(String, String)
        /// One holiday calendar (`HolidayCalendar.pathComponent`; nil: the administrator's first), of a year when given.
        case calendar(String?, year: Int? = nil)
        case workingWeek(String)
        case holidays(String)
        case deleteHoliday(String, Int)
        case importHolidays(String)
        case settings
        case policy
        case security
        case messages
        case testMail
        case delivery
        case clearDelivery
        case retryAllMessages
        case retryMessage(Int)
        case messageTemplate(String, String)
        case resetMessageTemplate(String, String)
        case apiKeys
        case apiKey(UUID)
        case revokeAPIKey(UUID)
        /// The stored triage model of a jurisdiction and its measured accuracy (nil: the administrator's first); training it now.
        case triage(String?)
        case triageTrain(String)

        var path: String {
            let root = "/petugas/admin"
            switch self {
            case .home: return root
            case .organisation(let code): return root + "/organisasi" + (code.map { "/\($0)" } ?? "")
            case .unit(let id, let action): return root + "/unit/\(id)/\(action.rawValue)"
            case .importUnits(let code): return root + "/organisasi/\(code)/impor"
            case .users: return root + "/pengguna"
            case .user(let username): return root + "/pengguna/\(username)"
            case .userAction(let username, let action): return root + "/pengguna/\(username)/\(action.rawValue)"
            case .removeRole(let username, let id): return root + "/pengguna/\(username)/peran/\(id)/hapus"
            case .decideGrant(let username, let id, let approve): return root + "/pengguna/\(username)/permintaan/\(id)/" + (approve ? "setujui" : "tolak")
            case .categories(let code): return root + "/kategori" + (code.map { "?j=\($0)" } ?? "")
            case .categoryClass(let code): return root + "/kategori/\(code)/kelas"
            case .categoryUnit(let code): return root + "/kategori/\(code)/unit"
            case .categoryAttributes(let code, let edit):
                return root + "/kategori/\(code)/atribut" + (edit.map { "?ubah=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
            case .deleteCategoryAttribute(let code, let attribute): return root + "/kategori/\(code)/atribut/\(attribute)/hapus"
            case .calendar(let calendar, let year):
                return root + "/kalender" + (calendar.map { "/\($0)" } ?? "") + (year.map { "?tahun=\($0)" } ?? "")
            case .workingWeek(let calendar): return root + "/kalender/\(calendar)/hari-kerja"
            case .holidays(let calendar): return root + "/kalender/\(calendar)/libur"
            case .deleteHoliday(let calendar, let id): return root + "/kalender/\(calendar)/libur/\(id)/hapus"
            case .importHolidays(let calendar): return root + "/kalender/\(calendar)/impor"
            case .settings: return root + "/pengaturan"
            case .policy: return root + "/pengaturan/tenggat"
            case .security: return root + "/pengaturan/keamanan"
            case .messages: return root + "/pesan"
            case .testMail: return root + "/pesan/uji"
            case .delivery: return root + "/pesan/pengaturan"
            case .clearDelivery: return root + "/pesan/pengaturan/hapus"
            case .retryAllMessages: return root + "/pesan/ulang-semua"
            case .retryMessage(let id): return root + "/pesan/\(id)/ulang"
            case .messageTemplate(let kind, let lang): return root + "/pesan/templat/\(kind)/\(lang)"
            case .resetMessageTemplate(let kind, let lang): return root + "/pesan/templat/\(kind)/\(lang)/asli"
            case .apiKeys: return root + "/kunci-api"
            case .apiKey(let id): return root + "/kunci-api/\(id.uuidString.lowercased())"
            case .revokeAPIKey(let id): return root + "/kunci-api/\(id.uuidString.lowercased())/cabut"
            case .triage(let code): return root + "/triase" + (code.map { "?j=\($0)" } ?? "")
            case .triageTrain(let code): return root + "/triase/\(code)/latih"
            }
        }
    }
}
