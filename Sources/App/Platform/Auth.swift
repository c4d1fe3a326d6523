import AduanCore
import Crypto
import Fluent
import Foundation
import Vapor

/// The authenticated officer behind a bearer token.
struct OfficerPrincipal: Authenticatable, Sendable {
    var userID: UUID
    var username: String
    var officer: Officer
    /// Signed in with a password, but a role they hold requires two-factor and they have not enrolled yet:
    /// the browser session may only reach the enrolment page.
    var mustEnrolTwoFactor = false
    /// Signed in with a password someone else saw (printed at first start): only the password form opens.
    var mustChangePassword = false
}

/// Resolves `Authorization: Bearer …` to an officer (only the token's SHA-256 is stored).
struct BearerAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        let hash = Secrets.sha256(bearer.token)
        guard let token = try await APIToken.query(on: request.db).filter(\.$tokenHash == hash).first() else { return }
        let now = request.application.clock.now
        if let expiry = token.expiresAt, expiry < now { return }
        guard let user = try await User.find(token.$user.id, on: request.db), user.active else { return }
        let roles = try await UserRole.query(on: request.db).filter(\.$user.$id == token.$user.id).all()
        request.auth.login(OfficerPrincipal(userID: try user.requireID(), username: user.username,
                                            officer: Officer(id: user.username, assignments: roles.compactMap(\.assignment))))
    }
}

extension UserRole {
    var assignment: RoleAssignment? {
        guard let role = Role(rawValue: role), let scope = Scope(scope) else { return nil }
        return RoleAssignment(role: role, scope: scope)
    }
}

extension Request {
    /// The signed-in officer, or 401.
    func requireOfficer() throws -> OfficerPrincipal {
        guard let principal = auth.get(OfficerPrincipal.self) else { throw AppError.unauthorized("sign in with POST /api/v1/auth/token and send Authorization: Bearer <token>") }
        return principal
    }
}

/// RFC 6238 time-based one-time passwords (30 s steps, 6 digits, HMAC-SHA1), as authenticator apps use.
enum TOTP {
    static func code(secret: [UInt8], at date: Date, step: TimeInterval = 30) -> String {
        var counter = UInt64(date.timeIntervalSince1970 / step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let value = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        return String(format: "%06d", value % 1_000_000)
    }

    /// Accepts the current code and one step either side (clock drift).
    static func verify(_ code: String, secret base32: String, at date: Date) -> Bool {
        matchingStep(code, secret: base32, at: date) != nil
    }

    /// The 30-second step whose code `code` is (current, or one either side), so a used code can be refused later.
    static func matchingStep(_ code: String, secret base32: String, at date: Date) -> Int64? {
        guard let secret = base32Decode(base32), code.count == 6 else { return nil }
        for offset in [-30.0, 0, 30] where self.code(secret: secret, at: date.addingTimeInterval(offset)) == code {
            return Int64((date.timeIntervalSince1970 + offset) / 30)
        }
        return nil
    }

    static func base32Decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var buffer = 0, bits = 0
        var out: [UInt8] = []
        for ch in text.uppercased() where ch != "=" && ch != " " {
            guard let index = alphabet.firstIndex(of: ch) else { return nil }
            buffer = (buffer << 5) | index; bits += 5
            if bits >= 8 { bits -= 8; out.append(UInt8((buffer >> bits) & 0xff)) }
        }
        return out.isEmpty ? nil : out
    }
}
