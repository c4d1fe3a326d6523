import AduanCore
import Fluent
import Foundation
import Vapor

/// Officer token sign-in (SPEC §10): password (bcrypt), TOTP when enrolled, lock-out after repeated failures.
enum AuthController {
    static let maxFailures = 5
    static let lockout: TimeInterval = 15 * 60
    static let tokenLifetime: TimeInterval = 12 * 3600

    static func token(_ req: Request) async throws -> Response {
        let body = try req.content.decode(TokenRequest.self)
        let now = req.application.clock.now
        let user = try await signIn(req, username: body.username, password: body.password, totp: body.totp)
        if user.totpSecret == nil, try await TwoFactor.required(for: officer(user, on: req.db), reference: req.reference()) {
            throw AppError(status: .forbidden, code: "totp_enrolment_required",
                           message: "a role you hold requires two-factor sign-in: enrol in the officer workspace (/petugas/akun) first")
        }
        let raw = Secrets.randomToken(bytes: 32)
        let expires = now.addingTimeInterval(tokenLifetime)
        try await APIToken(userID: user.id!, tokenHash: Secrets.sha256(raw), name: "token login", kind: "session",
                           createdAt: now, expiresAt: expires).create(on: req.writeDB)
        let roles = try await UserRole.query(on: req.db).filter(\.$user.$id == user.id!).all()
        let response = Response(status: .ok)
        try response.content.encode(TokenResponse(token: raw, expires_at: expires, username: user.username,
                                                  roles: roles.map { RoleView(role: $0.role, scope: $0.scope) }), as: .json)
        return response
    }

    /// Checks an officer's password (bcrypt) and TOTP code, with lock-out after repeated failures; audited.
    /// Shared by the API token login and the officers' web sign-in.
    static func signIn(_ req: Request, username: String, password: String, totp: String?) async throws -> User {
        let now = req.application.clock.now
        let refused = AppError.unauthorized("wrong username, password or two-factor code")
        guard username.count <= 100, password.count <= 1000,
              let user = try await User.query(on: req.db).filter(\.$username == username).first(), user.active else {
            // Same work as a real check, so timing does not tell which usernames exist.
            _ = try? await req.password.async.verify(password, created: "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5hBGn2XTjA5Cla0ad5LrDWWGm2cFXy.")
            throw refused
        }
        if let until = user.lockedUntil, until > now {
            throw AppError(status: .tooManyRequests, code: "locked", message: "too many failed sign-ins; try again later")
        }
        let passwordOK = try await req.password.async.verify(password, created: user.passwordHash)
        let totpOK = passwordOK && TwoFactor.accept(totp ?? "", for: user, at: now)
        guard passwordOK && totpOK else {
            user.failedLogins += 1
            if user.failedLogins >= maxFailures { user.lockedUntil = now.addingTimeInterval(lockout); user.failedLogins = 0 }
            try await user.update(on: req.writeDB)
            try await AuditEntry(at: now, actor: user.username, action: "login_failed", complaintID: nil, detail: req.clientAddress).create(on: req.writeDB)
            if passwordOK && user.totpSecret != nil && (totp ?? "").isEmpty {
                throw AppError(status: .unauthorized, code: "totp_required", message: "this account needs a two-factor code in `totp`", field: "totp")
            }
            throw refused
        }
        user.failedLogins = 0; user.lockedUntil = nil; user.lastLoginAt = now
        try await user.update(on: req.writeDB)
        try await AuditEntry(at: now, actor: user.username, action: "login", complaintID: nil, detail: req.clientAddress).create(on: req.writeDB)
        return user
    }

    /// The officer (roles and scopes) a user account acts as.
    static func officer(_ user: User, on db: any Database) async throws -> Officer {
        let roles = try await UserRole.query(on: db).filter(\.$user.$id == user.requireID()).all()
        return Officer(id: user.username, assignments: roles.compactMap(\.assignment))
    }

    static func revoke(_ req: Request) async throws -> HTTPStatus {
        _ = try req.requireOfficer()
        guard let bearer = req.headers.bearerAuthorization else { throw AppError.unauthorized() }
        try await APIToken.query(on: req.writeDB).filter(\.$tokenHash == Secrets.sha256(bearer.token)).delete()
        return .noContent
    }

    static func me(_ req: Request) async throws -> TokenResponseMe {
        let principal = try req.requireOfficer()
        return TokenResponseMe(username: principal.username,
                               roles: principal.officer.assignments.map { RoleView(role: $0.role.rawValue, scope: $0.scope.description) })
    }

    struct TokenResponseMe: Content {
        var username: String
        var roles: [RoleView]
    }
}
