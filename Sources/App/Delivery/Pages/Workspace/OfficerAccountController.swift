import AduanCore
import Fluent
import Foundation
import QRCode
import Vapor

/// The officer's own account (issue 5): two-factor enrolment with a QR code and recovery codes, password change,
/// sign-out everywhere, and password reset by e-mail.
enum OfficerAccountController {
    static let minPasswordLength = 10
    static let resetLifetime: TimeInterval = 3600

    struct AccountView: Encodable, Sendable {
        var username: String
        var displayName: String
        var email: String?
        var twoFactor: Bool
        var required: Bool
        var mustEnrol: Bool
        /// Enrolment in progress: the sealed secret travels in the form, the QR code and the text are shown.
        var pendingSealed: String?
        var pendingSecret: String?
        var pendingQR: String?
        var recoveryLeft: Int
        /// Shown once, right after enrolment or regeneration.
        var recoveryCodes: [String]
        var sessions: Int
        var tokens: Int
        var digest: Bool
        var message: String?
        var error: String?
    }

    static func user(_ ws: Workspace) async throws -> User {
        guard let user = try await User.find(ws.principal.userID, on: ws.req.db) else { throw AppError.unauthorized() }
        return user
    }

    static func show(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let ok = req.query[String.self, at: "ok"].flatMap { ["password", "disabled", "everywhere", "digest"].contains($0) ? $0 : nil }
        var note = req.query[String.self, at: "wajib"] != nil ? req.text("account_2fa_required_note") : nil
        if ws.principal.mustChangePassword { note = req.text("account_password_required_note") }
        return try await render(ws, message: ok.map { req.text("account_done_\($0)") } ?? note)
    }

    static func render(_ ws: Workspace, pending: String? = nil, codes: [String] = [], message: String? = nil, error: String? = nil,
                       status: HTTPStatus = .ok) async throws -> Response {
        let req = ws.req
        let user = try await user(ws)
        let required = TwoFactor.required(for: ws.officer, reference: ws.reference)
        var pendingSealed: String?, pendingQR: String?
        if !user.hasTwoFactor {
            // A fresh secret each time the page is shown without one; it is only saved once a code from it is typed.
            let secret = pending ?? TwoFactor.newSecret()
            pendingSealed = try req.application.secrets.sealTOTP(secret)
            let uri = TwoFactor.uri(secret: secret, username: user.username, site: req.application.settings.baseURL)
            let svg = try QRCode(encoding: uri, errorCorrection: .medium).svg(moduleSize: 4)
            pendingQR = "data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString()
            return try await page(ws, user, required: required, sealed: pendingSealed, secret: secret, qr: pendingQR, codes: codes,
                                  message: message, error: error, status: status)
        }
        return try await page(ws, user, required: required, sealed: nil, secret: nil, qr: nil, codes: codes, message: message,
                              error: error, status: status)
    }

    static func page(_ ws: Workspace, _ user: User, required: Bool, sealed: String?, secret: String?, qr: String?, codes: [String],
                     message: String?, error: String?, status: HTTPStatus) async throws -> Response {
        let sessions = try await BrowserSession.query(on: ws.req.db).filter(\.$kind == "officer").filter(\.$subjectID == user.id!)
            .filter(\.$expiresAt > ws.now).count()
        let tokens = try await APIToken.query(on: ws.req.db).filter(\.$user.$id == user.id!).filter(\.$kind == "session").count()
        let view = AccountView(username: user.username, displayName: user.displayName, email: user.email, twoFactor: user.hasTwoFactor,
                               required: required, mustEnrol: ws.principal.mustEnrolTwoFactor, pendingSealed: sealed, pendingSecret: secret,
                               pendingQR: qr, recoveryLeft: TwoFactor.remainingRecoveryCodes(user), recoveryCodes: codes,
                               sessions: sessions, tokens: tokens, digest: user.digest, message: message, error: error)
        return try await ws.req.page("officer_account", title: "account_title", view, status: status)
    }

    struct EnrolForm: Content { var pending: String?; var code: String? }

    /// Confirms enrolment with a code from the new secret; then shows the recovery codes once. The session is
    /// replaced by a new one: it was limited to enrolment and now opens the whole workspace.
    static func enrol(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(EnrolForm.self)
        let user = try await user(ws)
        guard !user.hasTwoFactor else { return req.redirect(to: SiteURL.officerAccount.path) }
        guard let sealed = form.pending, let secret = req.application.secrets.openTOTP(sealed), TOTP.base32Decode(secret)?.count == 20 else {
            return try await render(ws, error: req.text("account_error_pending"), status: .unprocessableEntity)
        }
        guard let step = TOTP.matchingStep((form.code ?? "").trimmingCharacters(in: .whitespaces), secret: secret, at: ws.now) else {
            return try await render(ws, pending: secret, error: req.text("account_error_code"), status: .unprocessableEntity)
        }
        let recovery = TwoFactor.newRecoveryCodes()
        user.totpSealed = try req.application.secrets.sealTOTP(secret)
        user.totpLastStep = step
        user.recoveryCodes = recovery.stored
        try await user.update(on: req.writeDB)
        try await audit(ws, "totp_enrolled")
        var principal = ws.principal
        principal.mustEnrolTwoFactor = false
        req.auth.login(principal)
        let response = try await render(Workspace(req: req, principal: principal, reference: ws.reference, now: ws.now), codes: recovery.codes,
                                        message: req.text("account_done_enrolled"))
        try await Sessions.rotate(req, kind: "officer", subject: user.requireID(), lifetime: OfficerSession.lifetime,
                                  cookie: OfficerSession.cookie, sameSite: .strict, on: response)
        return response
    }

    struct PasswordCheck: Content { var password: String?; var code: String? }

    /// Checks a password and/or second-factor code of the signed-in officer through `SecretLimiter`, as at sign-in
    /// (the same buckets: a stolen session cannot guess the password or codes here faster than at the door).
    static func recheck(_ ws: Workspace, _ user: User, password: String?, code: String?) async throws -> Bool {
        try await SecretLimiter.guarded(SecretSubject.signIn(SecretSubject.officer(user.username), ws.req), app: ws.req.application) {
            if let password, !(try await ws.req.password.async.verify(password, created: user.passwordHash)) { return .wrong(false) }
            if let code, !(try await TwoFactor.consume(code, for: user, app: ws.req.application)) { return .wrong(false) }
            return .right(true)
        }
    }

    /// Turns two-factor off (only when no role requires it), with the password and a current code.
    static func disable(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(PasswordCheck.self)
        let user = try await user(ws)
        if TwoFactor.required(for: ws.officer, reference: ws.reference) {
            return try await render(ws, error: req.text("account_error_required"), status: .forbidden)
        }
        guard user.hasTwoFactor, try await recheck(ws, user, password: form.password ?? "", code: form.code ?? "") else {
            return try await render(ws, error: req.text("account_error_check"), status: .unprocessableEntity)
        }
        try await User.query(on: req.writeDB).filter(\.$id == user.requireID())
            .set(\.$totpSealed, to: nil).set(\.$recoveryCodes, to: nil).set(\.$totpLastStep, to: nil).update()
        try await audit(ws, "totp_disabled")
        return req.redirect(to: SiteURL.officerAccount.path + "?ok=disabled")
    }

    /// New recovery codes (the old ones stop working), after a current code.
    static func regenerate(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(PasswordCheck.self)
        let user = try await user(ws)
        guard user.hasTwoFactor, try await recheck(ws, user, password: nil, code: form.code ?? "") else {
            return try await render(ws, error: req.text("account_error_code"), status: .unprocessableEntity)
        }
        let recovery = TwoFactor.newRecoveryCodes()
        try await User.query(on: req.writeDB).filter(\.$id == user.requireID()).set(\.$recoveryCodes, to: recovery.stored).update()
        try await audit(ws, "recovery_codes_regenerated")
        return try await render(ws, codes: recovery.codes, message: req.text("account_done_regenerated"))
    }

    struct PasswordForm: Content { var current: String?; var new: String?; var repeat_: String?
        enum CodingKeys: String, CodingKey { case current, new, repeat_ = "repeat" }
    }

    /// Changes the password; every session and API token of the officer ends, and this browser gets a new session.
    static func changePassword(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(PasswordForm.self)
        let user = try await user(ws)
        guard try await recheck(ws, user, password: form.current ?? "", code: nil) else {
            return try await render(ws, error: req.text("account_error_current"), status: .unprocessableEntity)
        }
        if let problem = passwordProblem(form.new, form.repeat_, req) {
            return try await render(ws, error: problem, status: .unprocessableEntity)
        }
        if user.mustChangePassword == true, form.new == form.current {
            return try await render(ws, error: req.text("account_error_same_password"), status: .unprocessableEntity)
        }
        let hash = try await req.password.async.hash(form.new!)
        try await User.query(on: req.writeDB).filter(\.$id == user.requireID())
            .set(\.$passwordHash, to: hash).set(\.$passwordChangedAt, to: ws.now).set(\.$mustChangePassword, to: nil).update()
        try await Sessions.endOfficer(user.requireID(), on: req.writeDB)
        try await audit(ws, "password_changed")
        return try await Sessions.start(req, kind: "officer", subject: user.requireID(), lifetime: OfficerSession.lifetime,
                                        cookie: OfficerSession.cookie, sameSite: .strict,
                                        redirectTo: SiteURL.officerAccount.path + "?ok=password")
    }

    static func passwordProblem(_ new: String?, _ repeated: String?, _ req: Request) -> String? {
        guard let new, new.count >= minPasswordLength, new.count <= 200 else {
            return req.text("account_error_length", ["n": "\(minPasswordLength)"])
        }
        guard new == repeated else { return req.text("account_error_repeat") }
        return nil
    }

    /// Ends every session and API token of the officer, this one included.
    static func signOutEverywhere(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        try await Sessions.endOfficer(ws.principal.userID, on: req.writeDB)
        try await audit(ws, "signed_out_everywhere")
        let response = req.redirect(to: SiteURL.officerSignIn.path + "?ok=everywhere")
        response.cookies[OfficerSession.cookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: "/")
        return response
    }

    static func audit(_ ws: Workspace, _ action: String) async throws {
        try await AuditEntry(at: ws.now, actor: ws.principal.username, action: action, complaintID: nil,
                             detail: ws.req.clientAddress).create(on: ws.req.writeDB)
    }

    struct DigestForm: Content { var digest: String? }

    /// One e-mail a day instead of one per event (warnings still come at once).
    static func setDigest(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let on = try req.content.decode(DigestForm.self).digest != nil
        try await User.query(on: req.writeDB).filter(\.$id == ws.principal.userID).set(\.$digest, to: on).update()
        return req.redirect(to: SiteURL.officerAccount.path + "?ok=digest")
    }

    // MARK: password reset by e-mail

    struct ForgotView: Encodable, Sendable { var sent: Bool; var error: String? }
    struct ForgotForm: Content { var username: String? }

    static func forgotForm(_ req: Request) async throws -> Response {
        try await req.page("officer_forgot", title: "forgot_title", ForgotView(sent: false, error: nil))
    }

    /// Always the same answer, so the form does not tell which accounts exist; a link goes out only to an active
    /// account with an e-mail address, through the outbox (sealed, since the link is live for an hour).
    static func forgot(_ req: Request) async throws -> Response {
        try await RateLimiter.checkSubmission(req)
        let name = (try req.content.decode(ForgotForm.self).username ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 254 else {
            return try await req.page("officer_forgot", title: "forgot_title", ForgotView(sent: false, error: req.text("forgot_error_empty")),
                                      status: .unprocessableEntity)
        }
        let now = req.application.clock.now
        let user = try await User.query(on: req.db).group(.or) { $0.filter(\.$username == name).filter(\.$email == name) }.first()
        if let user, user.active, user.email != nil {
            let token = Secrets.randomToken(bytes: 32)
            let link = req.application.settings.baseURL + SiteURL.officerReset(token).path
            let payload = try PasswordResetMail.seal(.init(user: user.id!, link: link, language: req.language.rawValue), secrets: req.application.secrets)
            try await withWriteTransaction(req.application) { db in
                let reset = PasswordReset()
                reset.id = Secrets.sha256(token)
                reset.userID = user.id!
                reset.createdAt = now
                reset.expiresAt = now.addingTimeInterval(resetLifetime)
                try await reset.create(on: db)
                try await OutboxMessage(key: "password_reset:" + Secrets.sha256(token).prefix(32), kind: PasswordResetMail.kind,
                                        audience: "user:\(user.id!.uuidString.lowercased())", payload: payload, at: now).create(on: db)
                try await AuditEntry(at: now, actor: user.username, action: "password_reset_requested", complaintID: nil,
                                     detail: req.clientAddress).create(on: db)
            }
        }
        return try await req.page("officer_forgot", title: "forgot_title", ForgotView(sent: true, error: nil))
    }

    struct ResetView: Encodable, Sendable {
        /// The form's target: the reset link itself.
        var action: String; var valid: Bool; var error: String?
        init(token: String, valid: Bool, error: String?) { (action, self.valid, self.error) = (SiteURL.officerReset(token).path, valid, error) }
    }
    struct ResetForm: Content { var new: String?; var repeat_: String?
        enum CodingKeys: String, CodingKey { case new, repeat_ = "repeat" }
    }

    static func liveReset(_ req: Request) async throws -> (String, PasswordReset)? {
        let token = req.parameters.get("token") ?? ""
        guard token.count <= 100, let reset = try await PasswordReset.find(Secrets.sha256(token), on: req.db),
              reset.usedAt == nil, reset.expiresAt > req.application.clock.now else { return nil }
        return (token, reset)
    }

    static func resetForm(_ req: Request) async throws -> Response {
        let live = try await liveReset(req)
        return try await req.page("officer_reset", title: "reset_title", ResetView(token: live?.0 ?? "", valid: live != nil, error: nil),
                                  status: live == nil ? .notFound : .ok)
    }

    /// Sets the new password, clears any lock-out, uses up the link, and ends every session of the officer.
    static func reset(_ req: Request) async throws -> Response {
        guard let (token, reset) = try await liveReset(req) else {
            return try await req.page("officer_reset", title: "reset_title", ResetView(token: "", valid: false, error: nil), status: .notFound)
        }
        let form = try req.content.decode(ResetForm.self)
        if let problem = passwordProblem(form.new, form.repeat_, req) {
            return try await req.page("officer_reset", title: "reset_title", ResetView(token: token, valid: true, error: problem),
                                      status: .unprocessableEntity)
        }
        let hash = try await req.password.async.hash(form.new!)
        let now = req.application.clock.now
        try await withWriteTransaction(req.application) { db in
            guard let user = try await User.find(reset.userID, on: db) else { throw AppError.notFound() }
            user.passwordHash = hash
            user.passwordChangedAt = now
            try await user.update(on: db)
            // Whoever could read the link is the owner: their address's and the account's counted tries go.
            try await SecretLimiter.clear(subject: SecretSubject.stored(.signIn, SecretSubject.officer(user.username)), on: db)
            try await PasswordReset.query(on: db).filter(\.$userID == reset.userID).filter(\.$usedAt == nil).set(\.$usedAt, to: now).update()
            try await Sessions.endOfficer(reset.userID, on: db)
            try await AuditEntry(at: now, actor: user.username, action: "password_reset", complaintID: nil, detail: req.clientAddress).create(on: db)
        }
        return req.redirect(to: SiteURL.officerSignIn.path + "?ok=reset")
    }
}
