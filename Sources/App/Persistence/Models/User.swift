import AduanCore
import Fluent
import Foundation

/// An officer account.
final class User: Model, @unchecked Sendable {
    static let schema = "users"
    @ID(key: .id) var id: UUID?
    @Field(key: "username") var username: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "display_name") var displayName: String
    @OptionalField(key: "email") var email: String?
    @Field(key: "active") var active: Bool
    /// The base32 TOTP secret once two-factor is enrolled, sealed with the installation key (`Secrets.sealTOTP`).
    /// The old clear column `totp_secret` is emptied by M016 and no longer used.
    @OptionalField(key: "totp_sealed") var totpSealed: String?
    /// SHA-256 hashes of the unused two-factor recovery codes, `|`-separated.
    @OptionalField(key: "recovery_codes") var recoveryCodes: String?
    /// Until when the officer has read their in-app inbox.
    @OptionalField(key: "inbox_seen_at") var inboxSeenAt: Date?
    @OptionalField(key: "password_changed_at") var passwordChangedAt: Date?
    /// Set on the account made at first start: no other page opens until the printed password is replaced (M022).
    @OptionalField(key: "must_change_password") var mustChangePassword: Bool?
    /// The 30-second step of the last accepted TOTP code: a code is accepted once (no replay).
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    /// One e-mail a day listing new work, instead of one e-mail per event.
    @Field(key: "digest") var digest: Bool
    @OptionalField(key: "digest_sent_at") var digestSentAt: Date?
    /// Unused since M016: failed sign-ins are counted by `SecretLimiter` in `secret_attempts`. Kept because the
    /// column is required.
    @Field(key: "failed_logins") var failedLogins: Int
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_login_at") var lastLoginAt: Date?
    @Children(for: \.$user) var roles: [UserRole]

    var hasTwoFactor: Bool { totpSealed != nil }

    init() {}
    init(id: UUID? = nil, username: String, passwordHash: String, displayName: String, email: String?, createdAt: Date) {
        self.id = id; self.username = username; self.passwordHash = passwordHash; self.displayName = displayName
        self.email = email; self.active = true; self.failedLogins = 0; self.createdAt = createdAt; self.digest = false
    }
}

/// One role an officer holds on one scope (`63`, `63/dinkes`).
final class UserRole: Model, @unchecked Sendable {
    static let schema = "user_roles"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "user_id") var user: User
    @Field(key: "role") var role: String
    @Field(key: "scope") var scope: String

    init() {}
    init(userID: UUID, role: String, scope: String) {
        self.$user.id = userID; self.role = role; self.scope = scope
    }
}

/// A role an administrator asked to give that waits for a second administrator (issue 17): roles that read
/// confidential or whistleblowing complaints, and the sysadmin role itself (`AdminScope.needsSecondApproval`).
final class RoleGrant: Model, @unchecked Sendable {
    static let schema = "role_grants"
    static let pending = "pending", approved = "approved", refused = "refused"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "role") var role: String
    @Field(key: "scope") var scope: String
    @Field(key: "requested_by") var requestedBy: String
    @Field(key: "requested_at") var requestedAt: Date
    /// `pending`, `approved` or `refused`.
    @Field(key: "status") var status: String
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}

    var assignment: RoleAssignment? {
        guard let role = Role(rawValue: role), let scope = Scope(scope) else { return nil }
        return RoleAssignment(role: role, scope: scope)
    }
}
