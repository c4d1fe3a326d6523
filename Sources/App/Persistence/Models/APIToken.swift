import Fluent
import Foundation

/// A bearer token: only its SHA-256 is stored.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "name") var name: String
    /// `session` (from token login) or `api_key`.
    @Field(key: "kind") var kind: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}
    init(userID: UUID, tokenHash: String, name: String, kind: String, createdAt: Date, expiresAt: Date?) {
        self.$user.id = userID; self.tokenHash = tokenHash; self.name = name; self.kind = kind
        self.createdAt = createdAt; self.expiresAt = expiresAt
    }
}
