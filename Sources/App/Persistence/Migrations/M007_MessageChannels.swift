import Fluent
import SQLKit

/// Information flow (issue 6): the reporter's choice of channels, one outbox row per channel with the provider's
/// answer, the due-soon reminder marker, officers' daily digest, and sysadmin-edited message templates.
struct M007_MessageChannels: AsyncMigration {
    var name: String { "M007_MessageChannels" }

    func prepare(on db: any Database) async throws {
        // One column per ALTER: SQLite adds one at a time; NOT NULL columns need a default for existing rows.
        try await db.schema("complaints").field("notify_email", .bool, .required, .sql(.default(true))).update()
        try await db.schema("complaints").field("notify_phone", .bool, .required, .sql(.default(true))).update()
        try await db.schema("complaints").field("due_soon_notified_for", .datetime).update()
        try await db.schema("outbox").field("channel", .string, .required, .sql(.default("email"))).update()
        try await db.schema("outbox").field("provider_response", .string).update()
        try await db.schema("users").field("digest", .bool, .required, .sql(.default(false))).update()
        try await db.schema("users").field("digest_sent_at", .datetime).update()

        try await db.schema("message_templates")
            .field("id", .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("language", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()

        try await db.schema("digest_items")
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("tracking_id", .string, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()
        if let sql = db as? any SQLDatabase {
            try await sql.create(index: "digest_items_pending").on("digest_items").column("user_id").column("sent_at").run()
        }
    }

    func revert(on db: any Database) async throws {
        try await db.schema("digest_items").delete()
        try await db.schema("message_templates").delete()
        for (table, column) in [("users", "digest_sent_at"), ("users", "digest"), ("outbox", "provider_response"), ("outbox", "channel"),
                                ("complaints", "due_soon_notified_for"), ("complaints", "notify_phone"), ("complaints", "notify_email")] {
            try await db.schema(table).deleteField(FieldKey(stringLiteral: column)).update()
        }
    }
}
