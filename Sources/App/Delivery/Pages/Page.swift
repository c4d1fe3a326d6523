import AduanCore
import Foundation
import Vapor

/// Everything the layout needs, around a page's own view model. Templates never reach the database.
struct Page<Body: Encodable & Sendable>: Encodable, Sendable {
    var lang: String
    var t: [String: String]
    var csrf: String
    var title: String
    /// This page (path and query) as the language switch's `next` value, percent-encoded (`RedirectTarget`).
    var path: String
    var otherLang: String
    var otherLangName: String
    /// Set on the officer workspace's pages: the officer navigation replaces the public one.
    var officer: OfficerNav?
    /// The fixed links and form targets of the layout and the pages (a template spells no app path, issue 14).
    var links = PageLinks(language: SiteURL.language(Language.en.rawValue).path)
    var body: Body
}

/// Every fixed path a template links or posts to, built from the `RoutePattern`s; a URL with a parameter (a complaint,
/// a code, a token) travels in the page's own view model instead.
struct PageLinks: Encodable, Sendable {
    /// This page in the other language (`/bahasa/en?next=…`).
    var language: String
    // The public portal
    var home = SiteURL.home.path
    var report = SiteURL.report.path
    var track = SiteURL.track.path
    var complaintList = SiteURL.complaintList.path
    var statistics = SiteURL.statistics.path
    var account = SiteURL.account.path
    var signIn = SiteURL.signIn.path
    var signUp = SiteURL.signUp.path
    var signOut = SiteURL.signOut.path
    // The officers' workspace
    var officerHome = SiteURL.officerHome.path
    var officerSignIn = SiteURL.officerSignIn.path
    var officerSignOut = SiteURL.officerSignOut.path
    var officerForgot = SiteURL.officerForgot.path
    var officerAccount = SiteURL.officerAccount.path
    var officerTwoFactor = SiteURL.officerTwoFactor.path
    var officerTwoFactorOff = RoutePattern.officerTwoFactorOff.link()
    var officerRecoveryCodes = RoutePattern.officerRecoveryCodes.link()
    var officerPassword = RoutePattern.officerPassword.link()
    var officerDigest = RoutePattern.officerDigest.link()
    var officerSignOutEverywhere = RoutePattern.officerSignOutEverywhere.link()
    var officerInbox = SiteURL.officerInbox.path
    var officerInboxRead = RoutePattern.officerInboxRead.link()
    var officerComplaints = SiteURL.officerComplaints.path
    var officerNewComplaint = SiteURL.officerNewComplaint.path
    var officerBulk = SiteURL.officerBulk.path
    var officerMonev = SiteURL.officerMonev.path
    var monevReport = SiteURL.monevReport.path
    var officerWarnings = SiteURL.officerWarnings.path
    var warningNote = RoutePattern.warningNote.link()
    var officerTemplates = SiteURL.officerTemplates.path
    var officerQR = SiteURL.officerQR.path
    var interop = SiteURL.Interop.page.path
    var admin = SiteURL.Admin.home.path
}

/// The officer navigation: only the entries the signed-in officer's roles use.
struct OfficerNav: Encodable, Sendable {
    var username: String
    var unread: Int
    var queue: Bool
    var intake: Bool
    var templates: Bool
    var warnings: Bool
    var monev: Bool
    var qr: Bool
    var admin: Bool
    /// Two-factor enrolment or the first password change is pending: only the account page and sign-out are offered.
    var restricted: Bool

    static func of(_ req: Request) async throws -> OfficerNav? {
        guard req.url.path.hasPrefix("/petugas"), let principal = req.auth.get(OfficerPrincipal.self) else { return nil }
        let roles = Set(principal.officer.assignments.map(\.role))
        if principal.mustEnrolTwoFactor || principal.mustChangePassword {
            return OfficerNav(username: principal.username, unread: 0, queue: false, intake: false, templates: false, warnings: false, monev: false, qr: false,
                              admin: false, restricted: true)
        }
        return OfficerNav(username: principal.username, unread: try await Inbox.unreadCount(req, principal: principal),
                          queue: !roles.subtracting([.sysadmin]).isEmpty, intake: roles.contains(.coordinator),
                          templates: !roles.isDisjoint(with: [.coordinator, .liaison, .unit_head]),
                          warnings: !roles.isDisjoint(with: [.inspector, .liaison, .unit_head]),
                          monev: !roles.isDisjoint(with: [.inspector, .executive]),
                          qr: !roles.isDisjoint(with: [.coordinator, .sysadmin, .liaison, .unit_head]),
                          admin: roles.contains(.sysadmin), restricted: false)
    }
}

extension Request {
    /// Renders `template` with the page chrome in the visitor's language.
    func page<Body: Encodable & Sendable>(_ template: String, title key: String, _ body: Body, status: HTTPStatus = .ok) async throws -> Response {
        let lang = language
        let catalog = application.catalog
        let other: Language = lang == .id ? .en : .id
        let here = RedirectTarget.queryValue(RedirectTarget.local(url.path + (url.query.map { "?" + $0 } ?? "")) ?? SiteURL.home.path)
        let page = Page(lang: lang.rawValue, t: catalog.table(lang), csrf: CSRF.token(for: self),
                        title: catalog.text(key, lang),
                        path: here,
                        otherLang: other.rawValue,
                        otherLangName: other == .en ? "English" : "Bahasa Indonesia", officer: try await OfficerNav.of(self),
                        links: PageLinks(language: SiteURL.language(other.rawValue).path + "?next=" + here), body: body)
        let view = try await self.view.render(template, page)
        let response = try await view.encodeResponse(for: self)
        response.status = status
        response.headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}

/// File sizes as people read them: "820 KB", "2.4 MB".
enum ByteSize {
    static func text(_ bytes: Int) -> String {
        bytes < 1_048_576 ? "\(max(1, (bytes + 1023) / 1024)) KB" : String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}

/// One option of a select, radio group or filter on any page: its value, its label, and whether it is chosen.
struct Choice: Encodable, Sendable {
    var value: String
    var label: String
    var selected: Bool = false
}

/// Options under a heading (an `<optgroup>`).
struct ChoiceGroup: Encodable, Sendable {
    var label: String
    var options: [Choice]
}
