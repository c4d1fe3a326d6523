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
        let note = req.query[String.self, at: "wajib"] != nil ? req.text("account_2fa_required_note") : nil
        return try await render(ws, message: ok.map { req.text("account_done_\($0)") } ?? note)
    }

    static func render(_ ws: Workspace, pending: String? = nil, codes: [String] = [], message: String? = nil, error: String? = nil,
                       status: HTTPStatus = .ok) async throws -> Response {
        let req = ws.req
        let user = try await user(ws)
        let required = TwoFactor.required(for: ws.officer, reference: ws.reference)
        var pendingSealed: String?, pendingQR: String?
        if user.totpSecret == nil {
            // A fresh secret each time the page is shown without one; it is only saved once a code from it is typed.
            let secret = pending ?? TwoFactor.newSecret()
            pendingSealed = try req.application.secrets.seal(Data(secret.utf8))
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
        let view = AccountView(username: user.username, displayName: user.displayName, email: user.email, twoFactor: user.totpSecret != nil,
                               required: required, mustEnrol: ws.principal.mustEnrolTwoFactor, pendingSealed: sealed, pendingSecret: secret,
                               pendingQR: qr, recoveryLeft: TwoFactor.remainingRecoveryCodes(user), recoveryCodes: codes,
                               sessions: sessions, tokens: tokens, digest: user.digest, message: message, error: error)
        return try await ws.req.page("officer_account", title: "account_title", view, status: status)
    }

    struct EnrolForm: Content { var pending: String?; var code: String? }

    /// Confirms enrolment with a code from the new secret; then shows the recovery codes once.
    static func enrol(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(EnrolForm.self)
        let user = try await user(ws)
        guard user.totpSecret == nil else { return req.redirect(to: SiteURL.officerAccount.path) }
        guard let sealed = form.pending, let data = try? req.application.secrets.open(sealed),
              let secret = String(data: data, encoding: .utf8), TOTP.base32Decode(secret)?.count == 20 else {
            return try await render(ws, error: req.text("account_error_pending"), status: .unprocessableEntity)
        }
        guard let step = TOTP.matchingStep((form.code ?? "").trimmingCharacters(in: .whitespaces), secret: secret, at: ws.now) else {
            return try await render(ws, pending: secret, error: req.text("account_error_code"), status: .unprocessableEntity)
        }
        let recovery = TwoFactor.newRecoveryCodes()
        user.totpSecret = secret
        user.totpLastStep = step
        user.recoveryCodes = recovery.stored
        try await user.update(on: req.writeDB)
        try await audit(ws, "totp_enrolled")
        // The gate let this session through for enrolment only; from now on it is a full session.
        var principal = ws.principal
        principal.mustEnrolTwoFactor = false
        req.auth.login(principal)
        return try await render(Workspace(req: req, principal: principal, reference: ws.reference, now: ws.now), codes: recovery.codes,
                                message: req.text("account_done_enrolled"))
    }

    struct PasswordCheck: Content { var password: String?; var code: String? }

    /// Turns two-factor off (only when no role requires it), with the password and a current code.
    static func disable(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(PasswordCheck.self)
        let user = try await user(ws)
        if TwoFactor.required(for: ws.officer, reference: ws.reference) {
            return try await render(ws, error: req.text("account_error_required"), status: .forbidden)
        }
        guard try await req.password.async.verify(form.password ?? "", created: user.passwordHash),
              TwoFactor.accept(form.code ?? "", for: user, at: ws.now) else {
            return try await render(ws, error: req.text("account_error_check"), status: .unprocessableEntity)
        }
        user.totpSecret = nil; user.recoveryCodes = nil; user.totpLastStep = nil
        try await user.update(on: req.writeDB)
        try await audit(ws, "totp_disabled")
        return req.redirect(to: SiteURL.officerAccount.path + "?ok=disabled")
    }

    /// New recovery codes (the old ones stop working), after a current code.
    static func regenerate(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(PasswordCheck.self)
        let user = try await user(ws)
        guard user.totpSecret != nil, TwoFactor.accept(form.code ?? "", for: user, at: ws.now) else {
            return try await render(ws, error: req.text("account_error_code"), status: .unprocessableEntity)
        }
        let recovery = TwoFactor.newRecoveryCodes()
        user.recoveryCodes = recovery.stored
        try await user.update(on: req.writeDB)
        try await audit(ws, "recovery_codes_regenerated")
        return try await render(ws, codes: recovery.codes, message: req.text("account_done_regenerated"))
    }

    struct PasswordForm: Content { var current: String?; var new: String?; var repeat_: String?
        enum CodingKeys: String, CodingKey { case current, new, repeat_ = "repeat" }
    }

    /// Changes the password; every other session and API token of the officer ends.
    static func changePassword(_ req: Request) async throws -> Response {
        let ws = try await Workspace.of(req)
        let form = try req.content.decode(PasswordForm.self)
        let user = try await user(ws)
        guard try await req.password.async.verify(form.current ?? "", created: user.passwordHash) else {
            return try await render(ws, error: req.text("account_error_current"), status: .unprocessableEntity)
        }
        if let problem = passwordProblem(form.new, form.repeat_, req) {
            return try await render(ws, error: problem, status: .unprocessableEntity)
        }
        user.passwordHash = try await req.password.async.hash(form.new!)
        user.passwordChangedAt = ws.now
        try await user.update(on: req.writeDB)
        try await Sessions.endOfficer(user.id!, keeping: req.cookies[OfficerController.cookie]?.string, on: req.writeDB)
        try await audit(ws, "password_changed")
        return req.redirect(to: SiteURL.officerAccount.path + "?ok=password")
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
        response.cookies[OfficerController.cookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: "/")
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
        try RateLimiter.checkSubmission(req)
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
                let message = OutboxMessage()
                message.idempotencyKey = "password_reset:" + Secrets.sha256(token).prefix(32)
                message.kind = PasswordResetMail.kind
                message.audience = "user:\(user.id!.uuidString.lowercased())"
                message.complaintID = nil
                message.payload = payload
                message.channel = "email"
                message.status = "pending"
                message.attempts = 0
                message.nextAttemptAt = now
                message.createdAt = now
                try await message.create(on: db)
                try await AuditEntry(at: now, actor: user.username, action: "password_reset_requested", complaintID: nil,
                                     detail: req.clientAddress).create(on: db)
            }
        }
        return try await req.page("officer_forgot", title: "forgot_title", ForgotView(sent: true, error: nil))
    }

    struct ResetView: Encodable, Sendable { var token: String; var valid: Bool; var error: String? }
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
            user.failedLogins = 0
            user.lockedUntil = nil
            try await user.update(on: db)
            try await PasswordReset.query(on: db).filter(\.$userID == reset.userID).filter(\.$usedAt == nil).set(\.$usedAt, to: now).update()
            try await Sessions.endOfficer(reset.userID, on: db)
            try await AuditEntry(at: now, actor: user.username, action: "password_reset", complaintID: nil, detail: req.clientAddress).create(on: db)
        }
        return req.redirect(to: SiteURL.officerSignIn.path + "?ok=reset")
    }
}
