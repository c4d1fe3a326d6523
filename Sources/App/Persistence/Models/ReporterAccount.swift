import Fluent
import Foundation

/// An optional reporter account. The e-mail is stored only as a keyed hash (for sign-in) and sealed with the name.
final class ReporterAccount: Model, @unchecked Sendable {
    static let schema = "reporter_accounts"
    @ID(key: .id) var id: UUID?
    @Field(key: "email_hash") var emailHash: String
    /// `ReporterIdentity` JSON sealed with AES-GCM.
    @Field(key: "sealed_identity") var sealedIdentity: String
    @Field(key: "password_hash") var passwordHash: String
    /// Unused since M016 (`SecretLimiter` counts failed sign-ins); kept because the column is required.
    @Field(key: "failed_logins") var failedLogins: Int
    @Field(key: "created_at") var createdAt: Date
    /// When the owner of the e-mail address followed the verification link; nil until then (no sign-in before).
    @OptionalField(key: "verified_at") var verifiedAt: Date?

    init() {}
}

/// A browser session: only the token's SHA-256 is stored; the cookie holds the token.
final class BrowserSession: Model, @unchecked Sendable {
    static let schema = "sessions"
    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    /// `reporter` (officer sessions come with the officer workspace).
    @Field(key: "kind") var kind: String
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}
