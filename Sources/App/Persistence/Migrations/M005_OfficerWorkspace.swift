import Fluent

/// The officer workspace (issue 5): recovery codes and inbox position on users, password-reset links, and
/// response templates per unit and category.
struct M005_OfficerWorkspace: AsyncMigration {
    var name: String { "M005_OfficerWorkspace" }

    func prepare(on db: any Database) async throws {
        // One column per ALTER: SQLite adds one at a time.
        try await db.schema("users").field("recovery_codes", .string).update()
        try await db.schema("users").field("inbox_seen_at", .datetime).update()
        try await db.schema("users").field("password_changed_at", .datetime).update()
        try await db.schema("users").field("totp_last_step", .int64).update()

        try await db.schema("password_resets")
            .field("token_hash", .string, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .create()

        try await db.schema("response_templates")
            .field("id", .int, .identifier(auto: true))
            .field("unit_id", .string, .required)
            .field("category_code", .string)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("response_templates").delete()
        try await db.schema("password_resets").delete()
        try await db.schema("users").deleteField("totp_last_step").update()
        try await db.schema("users").deleteField("password_changed_at").update()
        try await db.schema("users").deleteField("inbox_seen_at").update()
        try await db.schema("users").deleteField("recovery_codes").update()
    }
}
