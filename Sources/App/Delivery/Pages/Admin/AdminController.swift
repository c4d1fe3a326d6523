import AduanCore
import Fluent
import Foundation
import Vapor

/// The system administrator's pages under `/petugas/admin`: organisation tree, officers and their roles, categories,
/// calendars and settings (SPEC §1 sysadmin, §2). Only officers holding `sysadmin` get in, and only for the
/// jurisdictions of their scopes and those below them (`AdminScope`). Nothing here reads complaint content.
enum AdminController {
    static func register(_ admin: any RoutesBuilder) {
        admin.get(.adminHome, use: guarded(home))

        admin.get(.adminOrganisation, use: guarded(organisation))
        admin.get(.adminOrganisationOf, use: guarded(organisation))
        admin.post(.adminOrganisationOf, use: guarded(createUnit))
        admin.upload(.POST, .adminImportUnits, maxSize: 2 * 1_048_576, use: guarded(importUnits))
        for action in SiteURL.Admin.UnitAction.allCases {
            admin.post(RoutePattern.adminUnitAction.with("action", action.rawValue), use: guarded(unitAction(action)))
        }

        admin.get(.adminUsers, use: guarded(users))
        admin.post(.adminUsers, use: guarded(createUser))
        admin.get(.adminUser, use: guarded(user))
        for action in SiteURL.Admin.UserAction.allCases {
            admin.post(RoutePattern.adminUserAction.with("action", action.rawValue), use: guarded(userAction(action)))
        }
        admin.post(.adminRemoveRole, use: guarded(removeRole))
        admin.post(.adminApproveGrant, use: guarded(decideGrant(approve: true)))
        admin.post(.adminRefuseGrant, use: guarded(decideGrant(approve: false)))

        admin.get(.adminCategories, use: guarded(categories))
        admin.post(.adminCategoryClass, use: guarded(setCategoryClass))
        admin.post(.adminCategoryUnit, use: guarded(setCategoryUnit))
        admin.post(.adminCategoryNames, use: guarded(setCategoryNames))
        admin.get(.adminCategoryAttributes, use: guarded(categoryAttributes))
        admin.post(.adminCategoryAttributes, use: guarded(saveCategoryAttribute))
        admin.post(.adminDeleteCategoryAttribute, use: guarded(deleteCategoryAttribute))

        admin.get(.adminCalendar, use: guarded(calendar))
        admin.get(.adminCalendarOf, use: guarded(calendar))
        admin.post(.adminWorkingWeek, use: guarded(setWorkingWeek))
        admin.post(.adminHolidays, use: guarded(addHoliday))
        admin.post(.adminDeleteHoliday, use: guarded(deleteHoliday))
        admin.upload(.POST, .adminImportHolidays, maxSize: 2 * 1_048_576, use: guarded(importHolidays))

        admin.get(.adminSettings, use: guarded(settings))
        admin.post(.adminPolicy, use: guarded(savePolicy))
        admin.post(.adminSecurity, use: guarded(saveSecurity))
        admin.post(.adminMap, use: guarded(saveMap))

        admin.get(.adminMessages, use: guarded(messages))
        admin.post(.adminTestMail, use: guarded(testMail))
        admin.post(.adminDelivery, use: guarded(saveDelivery))
        admin.post(.adminClearDelivery, use: guarded(clearDelivery))
        admin.post(.adminRetryAllMessages, use: guarded(retryMessages(all: true)))
        admin.post(.adminRetryMessage, use: guarded(retryMessages(all: false)))
        admin.get(.adminMessageTemplate, use: guarded(messageTemplate))
        admin.post(.adminMessageTemplate, use: guarded(saveMessageTemplate))
        admin.post(.adminResetMessageTemplate, use: guarded(resetMessageTemplate))
        registerWebhooks(admin)

        admin.get(.adminAPIKeys, use: guarded(apiKeys))
        admin.post(.adminAPIKeys, use: guarded(createAPIKey))
        admin.get(.adminAPIKey, use: guarded(apiKey))
        admin.post(.adminAPIKey, use: guarded(updateAPIKey))
        admin.post(.adminRevokeAPIKey, use: guarded(revokeAPIKey))
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
        /// From October until next year's national holidays are loaded (issue 19), with the way to load them.
        var calendarWarning: String?
        var calendarLink: String?
        var calendarLinkLabel: String?
        /// Open stages whose due may have come too early, once the year of their due is loaded (never recomputed).
        var dueReviews: [CalendarNotice.Review] = []
        var dueReviewsMore: String?
    }

    static func home(_ req: Request, _ ctx: Context) async throws -> Response {
        let entries = sections(ctx).dropFirst().map {
            HomeView.Entry(href: $0.path, title: req.text("admin_section_\($0.rawValue)"), text: req.text("admin_section_\($0.rawValue)_text"))
        }
        let jurisdictions = orderedJurisdictions(ctx).map { "\($0.0.name) (\($0.0.code))" }
        let missing = CalendarNotice.missingYear(req, ctx.reference)
        let link = ctx.scope.isInstallationWide ? missing.map { SiteURL.Admin.calendar(HolidayCalendar.national.pathComponent, year: $0).path } : nil
        var reviews: (items: [CalendarNotice.Review], total: Int) = ([], 0)
        if ctx.scope.isInstallationWide { reviews = try await CalendarNotice.reviews(req, ctx.reference) }
        return try await req.page("admin_home", title: "admin_title", HomeView(
            nav: nav(req, ctx, .home), jurisdictions: jurisdictions, entries: entries,
            calendarWarning: CalendarNotice.warning(req, ctx.reference), calendarLink: link,
            calendarLinkLabel: missing.map { req.text("calendar_missing_load", ["year": "\($0)"]) },
            dueReviews: reviews.items, dueReviewsMore: reviews.total > reviews.items.count
                ? req.text("calendar_review_more", ["count": "\(reviews.total - reviews.items.count)"]) : nil))
    }
}
