import AduanCore
import Fluent
import Foundation
import Vapor

/// Optional reporter accounts: sign up, sign in, "my complaints". Complaints sent while signed in, or opened with
/// their secret link while signed in, follow the account.
enum AccountController {
    static let cookie = "aduan_session"
    static let lifetime: TimeInterval = 30 * 86_400

    struct FormView: Encodable, Sendable {
        var name: String
        var email: String
        var errors: [String: String]
        var message: String?
    }

    struct MineView: Encodable, Sendable {
        struct Row: Encodable, Sendable { var trackingID: String; var title: String; var state: String; var submitted: String }
        var name: String
        var rows: [Row]
        var hasRows: Bool
    }

    struct SignUp: Content { var name: String?; var email: String?; var password: String?; var password_confirm: String? }
    struct SignIn: Content { var email: String?; var password: String? }

    static func signUpForm(_ req: Request) async throws -> Response {
        try await req.page("account_signup", title: "account_signup_title", FormView(name: "", email: "", errors: [:]))
    }

    static func signUp(_ req: Request) async throws -> Response {
        let form = try req.content.decode(SignUp.self)
        let name = (form.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let password = form.password ?? ""
        var errors: [String: String] = [:]
        if name.isEmpty || name.count > 120 { errors["name"] = req.text("account_error_name") }
        if (try? SubmissionController.validateReporter(ReporterIdentity(email: email)))??.email == nil { errors["email"] = req.text("error_email") }
        if password.count < 10 || password.count > 200 { errors["password"] = req.text("account_error_password") }
        if password != form.password_confirm { errors["password_confirm"] = req.text("account_error_confirm") }
        let secrets = req.application.secrets
        if errors.isEmpty, try await ReporterAccount.query(on: req.db).filter(\.$emailHash == secrets.lookupHash(email)).first() != nil {
            errors["email"] = req.text("account_error_taken")
        }
        guard errors.isEmpty else {
            return try await req.page("account_signup", title: "account_signup_title",
                                      FormView(name: name, email: email, errors: errors), status: .unprocessableEntity)
        }
        let account = ReporterAccount()
        account.emailHash = secrets.lookupHash(email)
        account.sealedIdentity = try secrets.seal(JSONEncoder().encode(ReporterIdentity(name: name, email: email)))
        account.passwordHash = try await req.password.async.hash(password)
        account.failedLogins = 0
        account.createdAt = req.application.clock.now
        try await account.create(on: req.writeDB)
        return try await startSession(req, account: account)
    }

    static func signInForm(_ req: Request) async throws -> Response {
        try await req.page("account_signin", title: "account_signin_title", FormView(name: "", email: "", errors: [:]))
    }

    static func signIn(_ req: Request) async throws -> Response {
        let form = try req.content.decode(SignIn.self)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let now = req.application.clock.now
        let refused = { (key: String, status: HTTPStatus) in
            try await req.page("account_signin", title: "account_signin_title",
                               FormView(name: "", email: email, errors: [:], message: req.text(key)), status: status)
        }
        guard let account = try await ReporterAccount.query(on: req.db)
            .filter(\.$emailHash == req.application.secrets.lookupHash(email)).first() else {
            return try await refused("account_error_signin", .unauthorized)
        }
        if let until = account.lockedUntil, until > now { return try await refused("account_error_locked", .tooManyRequests) }
        guard try await req.password.async.verify(form.password ?? "", created: account.passwordHash) else {
            account.failedLogins += 1
            if account.failedLogins >= 5 { account.lockedUntil = now.addingTimeInterval(15 * 60); account.failedLogins = 0 }
            try await account.update(on: req.writeDB)
            return try await refused("account_error_signin", .unauthorized)
        }
        account.failedLogins = 0; account.lockedUntil = nil
        try await account.update(on: req.writeDB)
        return try await startSession(req, account: account)
    }

    static func startSession(_ req: Request, account: ReporterAccount) async throws -> Response {
        try await Sessions.start(req, kind: "reporter", subject: try account.requireID(), lifetime: lifetime, cookie: cookie,
                                 sameSite: .lax, redirectTo: SiteURL.account.path)
    }

    static func signOut(_ req: Request) async throws -> Response {
        try await Sessions.end(req, cookie: cookie, redirectTo: SiteURL.home.path)
    }

    static func mine(_ req: Request) async throws -> Response {
        guard let account = try await current(req) else { return req.redirect(to: SiteURL.signIn.path) }
        let identity = try JSONDecoder().decode(ReporterIdentity.self, from: req.application.secrets.open(account.sealedIdentity))
        let complaints = try await Complaint.query(on: req.db).filter(\.$reporterAccountID == account.id).sort(\.$submittedAt, .descending).limit(200).all()
        let wording = Wording(req, timeZone: WorkingCalendar.wita)
        let rows = complaints.map { MineView.Row(trackingID: $0.trackingID, title: $0.title, state: req.text("state_\($0.state)"),
                                                 submitted: wording.date($0.submittedAt)) }
        return try await req.page("account_mine", title: "account_mine_title", MineView(name: identity.name ?? "", rows: rows, hasRows: !rows.isEmpty))
    }

    /// The signed-in reporter account, if any (looked up once per request).
    static func current(_ req: Request) async throws -> ReporterAccount? {
        if let cached = req.storage[CurrentKey.self] { return cached.account }
        var account: ReporterAccount?
        if let session = try await Sessions.current(req, kind: "reporter", cookie: cookie) {
            account = try await ReporterAccount.find(session.subjectID, on: req.db)
        }
        req.storage[CurrentKey.self] = .init(account: account)
        return account
    }

    struct CurrentKey: StorageKey { typealias Value = Box }
    final class Box: @unchecked Sendable { let account: ReporterAccount?; init(account: ReporterAccount?) { self.account = account } }
}
