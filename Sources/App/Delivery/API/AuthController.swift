import AduanCore
import Fluent
import Foundation
import Vapor

/// Officer token sign-in (SPEC §10): password (bcrypt), TOTP when enrolled, every try through `SecretLimiter`.
enum AuthController {
    static let tokenLifetime: TimeInterval = 12 * 3600

    static func token(_ req: Request) async throws -> Response {
        let body = try req.content.decode(TokenRequest.self)
        let now = req.application.clock.now
        let user = try await OfficerSignIn.signIn(req, username: body.username, password: body.password, totp: body.totp)
        if !user.hasTwoFactor, try await TwoFactor.required(for: OfficerSignIn.officer(user, on: req.db), reference: req.reference()) {
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
