import Fluent
import Foundation

/// A reusable answer text of one unit, optionally for one category (issue 5: "response templates per unit and
/// category"). Liaisons pick one to prefill a follow-up or final answer, then edit it.
final class ResponseTemplate: Model, @unchecked Sendable {
    static let schema = "response_templates"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "unit_id") var unitID: String
    @OptionalField(key: "category_code") var categoryCode: String?
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A one-time password-reset link: only the SHA-256 of its token is stored; it expires and is used once.
final class PasswordReset: Model, @unchecked Sendable {
    static let schema = "password_resets"
    @ID(custom: "token_hash", generatedBy: .user) var id: String?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}
