import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Officer token sign-in (SPEC §10): password (bcrypt), TOTP when enrolled, every try through `SecretLimiter`.
enum AuthController {
    static let tokenLifetime: TimeInterval = 12 * 3600

    static func token(_ req: Request) async throws -> Response {
        let body = try req.content.decode(TokenRequest.self)
        let now = req.application.clock.now
        let user = try await signIn(req, username: body.username, password: body.password, totp: body.totp)
        if !user.hasTwoFactor, try await TwoFactor.required(for: officer(user, on: req.db), reference: req.reference()) {
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

    /// Checks an officer's password (bcrypt) and second factor through `SecretLimiter`: the try is reserved before
    /// bcrypt runs, so parallel requests never check more than the limit; a known and an unknown username are limited,
    /// timed and answered alike. Audited. Shared by the API token login and the officers' web sign-in.
    static func signIn(_ req: Request, username: String, password: String, totp: String?) async throws -> User {
        let now = req.application.clock.now
        let refused = AppError.unauthorized("wrong username, password or two-factor code")
        guard username.count <= 100, password.count <= 1000 else { throw refused }
        enum Result { case accepted(User), wrong, needsCode }
        let result = try await SecretLimiter.guarded(SecretSubject.signIn(SecretSubject.officer(username), req),
                                                     app: req.application) { () -> SecretLimiter.Outcome<Result> in
            guard let user = try await User.query(on: req.db).filter(\.$username == username).first(), user.active else {
                // Same work as a real check, so timing does not tell which usernames exist.
                _ = try? await req.password.async.verify(password, created: await req.application.dummyPasswordHash())
                return .wrong(.wrong)
            }
            guard try await req.password.async.verify(password, created: user.passwordHash) else {
                try await audit(req, user.username, "login_failed", at: now)
                return .wrong(.wrong)
            }
            // The right password without its code is not a guess: the sign-in form asks for the code next.
            if user.hasTwoFactor && (totp ?? "").trimmingCharacters(in: .whitespaces).isEmpty { return .right(.needsCode) }
            guard try await TwoFactor.consume(totp ?? "", for: user, app: req.application) else {
                try await audit(req, user.username, "login_failed", at: now)
                return .wrong(.wrong)
            }
            return .right(.accepted(user))
        }
        switch result {
        case .wrong: throw refused
        case .needsCode: throw AppError(status: .unauthorized, code: "totp_required", message: "this account needs a two-factor code in `totp`", field: "totp")
        case .accepted(let user):
            let id = try user.requireID()
            try await audit(req, user.username, "login", at: now) { db in
                try await User.query(on: db).filter(\.$id == id).set(\.$lastLoginAt, to: now).update()
            }
            return user
        }
    }

    /// An audit row of a sign-in (with `also`, in the same write), through the group commit: a burst of sign-ins
    /// shares its commits instead of queueing one write each for the single SQLite writer.
    static func audit(_ req: Request, _ username: String, _ action: String, at now: Date,
                      also: (@Sendable (any Database) async throws -> Void)? = nil) async throws {
        let detail = req.clientAddress
        try await withWriteTransaction(req.application) { db in
            try await also?(db)
            try await AuditEntry(at: now, actor: username, action: action, complaintID: nil, detail: detail).create(on: db)
        }
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

extension Application {
    private struct DummyHashKey: StorageKey { typealias Value = NIOLockedValueBox<String?> }

    func prepareDummyPasswordHash() { storage[DummyHashKey.self] = NIOLockedValueBox(nil) }

    /// A hash, made with this application's password hasher (same cost as real ones), of a random password nobody
    /// knows: verified against when there is no such account, so a missing account takes as long as a wrong password.
    func dummyPasswordHash() async throws -> String {
        let box = storage[DummyHashKey.self]!
        if let hash = box.withLockedValue({ $0 }) { return hash }
        let hash = try await password.async.hash(Secrets.randomToken(bytes: 24))
        box.withLockedValue { $0 = hash }
        return hash
    }
}
