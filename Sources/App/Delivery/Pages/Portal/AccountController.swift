import AduanCore
import Fluent
import Foundation
import Vapor

/// Optional reporter accounts: sign up, sign in, "my complaints". Complaints sent while signed in, or opened with
/// their secret link while signed in, follow the account.
enum AccountController {
    struct FormView: Encodable, Sendable {
        var name: String
        var email: String
        var errors: [String: String]
        var message: String?
        var notice: String?
    }

    struct MineView: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            var trackingID: String; var url: String; var title: String; var state: String; var submitted: String
            init(trackingID: String, title: String, state: String, submitted: String) {
                (self.trackingID, url, self.title, self.state, self.submitted) = (trackingID, SiteURL.publicComplaint(trackingID).path, title, state, submitted)
            }
        }
        var name: String
        var rows: [Row]
        var hasRows: Bool
    }

    struct SignUp: Content { var name: String?; var email: String?; var password: String?; var password_confirm: String? }
    struct SignIn: Content { var email: String?; var password: String? }

    static func signUpForm(_ req: Request) async throws -> Response {
        try await req.page("account_signup", title: "account_signup_title", FormView(name: "", email: "", errors: [:]))
    }

    struct NoticeView: Encodable, Sendable { var heading: String; var text: String; var linkHref: String?; var linkText: String? }

    /// Sign-up answers the same page whether the address is new, waiting for confirmation or already an account
    /// (issue 17: "E-mail ini sudah terdaftar" told who has an account). What differs goes by e-mail to the address:
    /// a confirmation link for a new address (or a new password for one never confirmed: nobody proved owning it), a
    /// "you already have an account" note with a password link for a confirmed one. Every way hashes a password, so
    /// the time taken tells nothing either.
    static func signUp(_ req: Request) async throws -> Response {
        try await RateLimiter.checkSubmission(req)
        let form = try req.content.decode(SignUp.self)
        let name = (form.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let password = form.password ?? ""
        var errors: [String: String] = [:]
        if name.isEmpty || name.count > 120 { errors["name"] = req.text("account_error_name") }
        if (try? SubmitComplaint.validateReporter(ReporterIdentity(email: email)))??.email == nil { errors["email"] = req.text("error_email") }
        if password.count < 10 || password.count > 200 { errors["password"] = req.text("account_error_password") }
        if password != form.password_confirm { errors["password_confirm"] = req.text("account_error_confirm") }
        guard errors.isEmpty else {
            return try await req.page("account_signup", title: "account_signup_title",
                                      FormView(name: name, email: email, errors: errors), status: .unprocessableEntity)
        }
        let app = req.application, secrets = app.secrets
        let hash = try await req.password.async.hash(password)
        let sealed = try secrets.seal(JSONEncoder().encode(ReporterIdentity(name: name, email: email)))
        let language = req.language.rawValue
        try await withWriteTransaction(app) { db in
            if let account = try await ReporterAccount.query(on: db).filter(\.$emailHash == secrets.lookupHash(email)).first() {
                if account.verifiedAt != nil {
                    try await AccountMail.queue(AccountMail.existsKind, account: account,
                                                link: app.settings.baseURL + SiteURL.accountPassword(try AccountLink.make(.password, account: account, app: app)).path,
                                                language: language, app: app, on: db)
                    return
                }
                // Never confirmed: this sign-up replaces the earlier one, whose link stops working with the old password.
                account.passwordHash = hash
                account.sealedIdentity = sealed
                try await account.update(on: db)
                try await queueVerification(account, language: language, app: app, on: db)
                return
            }
            let account = ReporterAccount()
            account.emailHash = secrets.lookupHash(email)
            account.sealedIdentity = sealed
            account.passwordHash = hash
            account.failedLogins = 0
            account.createdAt = app.clock.now
            try await account.create(on: db)
            try await queueVerification(account, language: language, app: app, on: db)
        }
        return try await req.page("account_notice", title: "account_check_mail_title",
                                  NoticeView(heading: req.text("account_check_mail_title"), text: req.text("account_check_mail_text"),
                                             linkHref: SiteURL.signIn.path, linkText: req.text("account_signin_title")))
    }

    static func queueVerification(_ account: ReporterAccount, language: String, app: Application, on db: any Database) async throws {
        let link = app.settings.baseURL + SiteURL.accountVerify(try AccountLink.make(.verify, account: account, app: app)).path
        try await AccountMail.queue(AccountMail.verifyKind, account: account, link: link, language: language, app: app, on: db)
    }

    /// The link in the confirmation e-mail: the address is confirmed, and the reporter signs in (the link itself
    /// never signs anyone in: a link someone else got could otherwise sign a victim into the sender's account).
    static func verify(_ req: Request) async throws -> Response {
        guard let account = try await AccountLink.open(req.parameters.get("token") ?? "", .verify, app: req.application, on: req.db) else {
            return try await req.page("account_notice", title: "account_link_invalid_title",
                                      NoticeView(heading: req.text("account_link_invalid_title"), text: req.text("account_link_invalid_text"),
                                                 linkHref: SiteURL.signUp.path, linkText: req.text("account_signup_title")), status: .notFound)
        }
        if account.verifiedAt == nil {
            try await ReporterAccount.query(on: req.writeDB).filter(\.$id == account.requireID()).filter(\.$verifiedAt == nil)
                .set(\.$verifiedAt, to: req.application.clock.now).update()
        }
        return req.redirect(to: SiteURL.signIn.path + "?ok=verified")
    }

    struct PasswordView: Encodable, Sendable { var action: String; var errors: [String: String] }
    struct NewPassword: Content { var password: String?; var password_confirm: String? }

    static func passwordForm(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard try await AccountLink.open(token, .password, app: req.application, on: req.db) != nil else { return try await invalidLink(req) }
        return try await req.page("account_password", title: "account_password_title",
                                  PasswordView(action: SiteURL.accountPassword(token).path, errors: [:]))
    }

    /// A new password from the link in the "already have an account" e-mail: the address is confirmed by it, every
    /// session of the account ends, the counted wrong tries go, and the reporter signs in with the new password.
    static func setPassword(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let account = try await AccountLink.open(token, .password, app: req.application, on: req.db) else { return try await invalidLink(req) }
        let form = try req.content.decode(NewPassword.self)
        var errors: [String: String] = [:]
        let password = form.password ?? ""
        if password.count < 10 || password.count > 200 { errors["password"] = req.text("account_error_password") }
        if password != form.password_confirm { errors["password_confirm"] = req.text("account_error_confirm") }
        guard errors.isEmpty else {
            return try await req.page("account_password", title: "account_password_title",
                                      PasswordView(action: SiteURL.accountPassword(token).path, errors: errors), status: .unprocessableEntity)
        }
        let hash = try await req.password.async.hash(password)
        let now = req.application.clock.now, id = try account.requireID(), oldHash = account.passwordHash
        try await withWriteTransaction(req.application) { db in
            // Only if the password is still the one the link was made for: the link works once.
            guard let current = try await ReporterAccount.find(id, on: db), current.passwordHash == oldHash else { return }
            current.passwordHash = hash
            if current.verifiedAt == nil { current.verifiedAt = now }
            try await current.update(on: db)
            try await BrowserSession.query(on: db).filter(\.$kind == "reporter").filter(\.$subjectID == id).delete()
            try await SecretLimiter.clear(subject: SecretSubject.stored(.signIn, SecretSubject.reporter(emailHash: current.emailHash)), on: db)
        }
        return req.redirect(to: SiteURL.signIn.path + "?ok=password")
    }

    static func invalidLink(_ req: Request) async throws -> Response {
        try await req.page("account_notice", title: "account_link_invalid_title",
                           NoticeView(heading: req.text("account_link_invalid_title"), text: req.text("account_link_invalid_text"),
                                      linkHref: SiteURL.signUp.path, linkText: req.text("account_signup_title")), status: .notFound)
    }

    static func signInForm(_ req: Request) async throws -> Response {
        let ok = req.query[String.self, at: "ok"].flatMap { ["verified", "password"].contains($0) ? $0 : nil }
        return try await req.page("account_signin", title: "account_signin_title",
                                  FormView(name: "", email: "", errors: [:], notice: ok.map { req.text("account_signin_done_\($0)") }))
    }

    /// Every try goes through `SecretLimiter` before bcrypt; an unknown address costs a bcrypt too and gets the same
    /// answer as a wrong password. An account whose address is not confirmed yet gets a new confirmation link (only
    /// with the right password, so this tells nothing to someone who does not know it).
    static func signIn(_ req: Request) async throws -> Response {
        let form = try req.content.decode(SignIn.self)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let password = form.password ?? ""
        let refused = { (key: String, status: HTTPStatus) in
            try await req.page("account_signin", title: "account_signin_title",
                               FormView(name: "", email: email, errors: [:], message: req.text(key)), status: status)
        }
        guard email.count <= 254, password.count <= 1000 else { return try await refused("account_error_signin", .unauthorized) }
        let emailHash = req.application.secrets.lookupHash(email)
        let account: ReporterAccount?
        do {
            account = try await SecretLimiter.guarded(SecretSubject.signIn(SecretSubject.reporter(emailHash: emailHash), req),
                                                      app: req.application) { () -> SecretLimiter.Outcome<ReporterAccount?> in
                guard let account = try await ReporterAccount.query(on: req.db).filter(\.$emailHash == emailHash).first() else {
                    _ = try? await req.password.async.verify(password, created: await req.application.dummyPasswordHash())
                    return .wrong(nil)
                }
                return try await req.password.async.verify(password, created: account.passwordHash) ? .right(account) : .wrong(nil)
            }
        } catch let error as AppError where error.code == "locked" {
            return try await refused("account_error_locked", .tooManyRequests)
        }
        guard let account else { return try await refused("account_error_signin", .unauthorized) }
        guard account.verifiedAt != nil else {
            try await withWriteTransaction(req.application) { db in
                try await queueVerification(account, language: req.language.rawValue, app: req.application, on: db)
            }
            return try await refused("account_error_unverified", .forbidden)
        }
        return try await startSession(req, account: account)
    }

    /// A fresh session (the one the browser's cookie named before, if any, ends: `Sessions.rotate`).
    static func startSession(_ req: Request, account: ReporterAccount) async throws -> Response {
        try await Sessions.start(req, kind: "reporter", subject: try account.requireID(), lifetime: ReporterSession.lifetime, cookie: ReporterSession.cookie,
                                 sameSite: .lax, redirectTo: SiteURL.account.path)
    }

    static func signOut(_ req: Request) async throws -> Response {
        try await Sessions.end(req, cookie: ReporterSession.cookie, redirectTo: SiteURL.home.path)
    }

    static func mine(_ req: Request) async throws -> Response {
        guard let account = try await ReporterSession.current(req) else { return req.redirect(to: SiteURL.signIn.path) }
        let identity = try JSONDecoder().decode(ReporterIdentity.self, from: req.application.secrets.open(account.sealedIdentity))
        let complaints = try await Complaint.query(on: req.db).filter(\.$reporterAccountID == account.id).sort(\.$submittedAt, .descending).limit(200).all()
        let wording = Wording(req, timeZone: WorkingCalendar.wita)
        let rows = complaints.map { MineView.Row(trackingID: $0.trackingID, title: $0.title, state: req.text("state_\($0.state)"),
                                                 submitted: wording.date($0.submittedAt)) }
        return try await req.page("account_mine", title: "account_mine_title", MineView(name: identity.name ?? "", rows: rows, hasRows: !rows.isEmpty))
    }
}
