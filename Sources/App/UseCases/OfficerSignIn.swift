import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Signing an officer in, the same for the API's token login and the workspace's sign-in page.
enum OfficerSignIn {
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
