import AduanCore
import Fluent
import Foundation
import Vapor

/// Officers in the browser: sign-in with a database-backed session, and the QR code management page.
/// The work queues, complaint pages and account pages are in `Web/Workspace/`.
enum OfficerController {
    struct SignInView: Encodable, Sendable { var username: String; var message: String?; var notice: String?; var needsTOTP: Bool; var next: String }
    struct SignInForm: Content { var username: String?; var password: String?; var totp: String?; var next: String? }

    /// Where to go after signing in: a page of the workspace named in `next` (`RedirectTarget`), else the home queue.
    static func destination(_ next: String?) -> String {
        RedirectTarget.local(next, under: SiteURL.officerHome.path) ?? SiteURL.officerHome.path
    }

    static func signInForm(_ req: Request) async throws -> Response {
        if req.auth.has(OfficerPrincipal.self) { return req.redirect(to: SiteURL.officerHome.path) }
        let notice = req.query[String.self, at: "ok"].flatMap { ["reset", "everywhere"].contains($0) ? req.text("officer_signin_done_\($0)") : nil }
        return try await req.page("officer_signin", title: "officer_signin_title",
                                  SignInView(username: "", message: nil, notice: notice, needsTOTP: false,
                                             next: destination(req.query[String.self, at: "next"])))
    }

    static func signIn(_ req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        let username = (form.username ?? "").trimmingCharacters(in: .whitespaces)
        let next = destination(form.next)
        let user: User
        do {
            user = try await OfficerSignIn.signIn(req, username: username, password: form.password ?? "", totp: form.totp)
        } catch let error as AppError {
            let key = error.code == "locked" ? "officer_error_locked" : error.code == "totp_required" ? "officer_error_totp" : "officer_error_signin"
            return try await req.page("officer_signin", title: "officer_signin_title",
                                      SignInView(username: username, message: req.text(key), notice: nil,
                                                 needsTOTP: error.code == "totp_required", next: next),
                                      status: error.status)
        }
        return try await Sessions.start(req, kind: "officer", subject: try user.requireID(), lifetime: OfficerSession.lifetime, cookie: OfficerSession.cookie,
                                        sameSite: .strict, redirectTo: next)
    }

    static func signOut(_ req: Request) async throws -> Response {
        try await Sessions.end(req, cookie: OfficerSession.cookie, redirectTo: SiteURL.officerSignIn.path)
    }

    // MARK: QR codes

    struct QRPageView: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            var code: String; var unitName: String; var label: String?; var location: String?; var active: Bool; var replacedBy: String?
            var url: String; var scans: Int; var complaints: Int; var conversion: String; var snippet: String; var canManage: Bool
            var urls: Links
        }
        /// A code's images, its poster, and the forms that rotate or deactivate it.
        struct Links: Encodable, Sendable {
            var svg: String; var png: String; var poster: String; var rotate: String; var deactivate: String
            init(_ code: String) {
                (svg, png, poster) = (SiteURL.qrImage(code, "svg").path, SiteURL.qrImage(code, "png").path, SiteURL.qrPoster(code).path)
                (rotate, deactivate) = (RoutePattern.officerQRAction.link(code, "rotate"), RoutePattern.officerQRAction.link(code, "deactivate"))
            }
        }
        struct UnitOption: Encodable, Sendable { var id: String; var name: String }
        var rows: [Row]
        var hasRows: Bool
        var units: [UnitOption]
        var canCreate: Bool
        var message: String?
        var error: String?
    }

    static func qrPage(_ req: Request) async throws -> Response {
        guard let principal = req.auth.get(OfficerPrincipal.self) else { return req.redirect(to: SiteURL.officerSignIn.path) }
        let done = req.query[String.self, at: "ok"].flatMap { ["create", "rotate", "deactivate"].contains($0) ? $0 : nil }
        return try await renderQR(req, principal, message: done.map { req.text("officer_qr_done_\($0)") }, error: nil)
    }

    static func renderQR(_ req: Request, _ principal: OfficerPrincipal, message: String?, error: String?, status: HTTPStatus = .ok) async throws -> Response {
        let reference = try await req.reference()
        let officer = principal.officer
        let records = try await UnitQRCode.query(on: req.db).sort(\.$unitID).sort(\.$createdAt, .descending).all()
            .filter { Access.canViewQRCodes(of: $0.unitID, officer, tree: reference.tree) }
        let counts = try await QRService.complaintCounts(records.map(\.code), on: req.db)
        let rows = records.map { r in
            let complaints = counts[r.code] ?? 0
            return QRPageView.Row(code: r.code, unitName: reference.tree.units[r.unitID]?.name ?? r.unitID, label: r.label, location: r.location,
                                  active: r.active, replacedBy: r.replacedBy, url: QRService.url(r.code, req.application), scans: r.scans,
                                  complaints: complaints,
                                  conversion: r.scans > 0 ? String(format: "%.0f%%", 100 * Double(complaints) / Double(r.scans)) : "—",
                                  snippet: QRService.snippet(r, unitName: reference.tree.units[r.unitID]?.name ?? r.unitID, req.application),
                                  canManage: r.active && Access.canManageQRCodes(of: r.unitID, officer, tree: reference.tree), urls: .init(r.code))
        }
        let units = reference.tree.units.values.filter { $0.active && Access.canManageQRCodes(of: $0.id, officer, tree: reference.tree) }
            .sorted { $0.id < $1.id }.map { QRPageView.UnitOption(id: $0.id, name: $0.name) }
        return try await req.page("officer_qr", title: "officer_qr_title",
                                  QRPageView(rows: rows, hasRows: !rows.isEmpty, units: units, canCreate: !units.isEmpty, message: message, error: error),
                                  status: status)
    }

    struct CreateForm: Content { var unit: String?; var label: String?; var location: String? }

    static func qrCreate(_ req: Request) async throws -> Response {
        guard let principal = req.auth.get(OfficerPrincipal.self) else { return req.redirect(to: SiteURL.officerSignIn.path) }
        let form = try req.content.decode(CreateForm.self)
        let reference = try await req.reference()
        guard let unit = form.unit, reference.tree.units[unit] != nil, Access.canManageQRCodes(of: unit, principal.officer, tree: reference.tree) else {
            return try await renderQR(req, principal, message: nil, error: req.text("officer_qr_error_unit"), status: .unprocessableEntity)
        }
        do {
            _ = try await QRService.create(req.application, unit: unit, label: form.label, location: form.location, by: principal.username)
        } catch let error as AppError {
            return try await renderQR(req, principal, message: nil, error: error.message, status: error.status)
        }
        return req.redirect(to: SiteURL.officerQR.path + "?ok=create")
    }

    static func qrAction(_ action: String) -> @Sendable (Request) async throws -> Response {
        { req in
            guard let principal = req.auth.get(OfficerPrincipal.self) else { return req.redirect(to: SiteURL.officerSignIn.path) }
            let reference = try await req.reference()
            guard let record = try await QRService.find(req.parameters.get("code") ?? "", on: req.db),
                  Access.canManageQRCodes(of: record.unitID, principal.officer, tree: reference.tree), record.active else {
                return try await renderQR(req, principal, message: nil, error: req.text("officer_qr_error_manage"), status: .forbidden)
            }
            if action == "rotate" { _ = try await QRService.rotate(req.application, record, by: principal.username) }
            else { try await QRService.deactivate(req.application, record) }
            return req.redirect(to: SiteURL.officerQR.path + "?ok=\(action)")
        }
    }
}
