import Fluent
import SQLKit

/// Optional reporter accounts and database-backed browser sessions (SPEC §3, §11).
struct M002_ReporterAccounts: AsyncMigration {
    var name: String { "M002_ReporterAccounts" }

    func prepare(on db: any Database) async throws {
        try await db.schema("reporter_accounts")
            .id()
            .field("email_hash", .string, .required)
            .field("sealed_identity", .string, .required)
            .field("password_hash", .string, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "email_hash")
            .create()

        try await db.schema("sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()

        try await db.schema("complaints").field("reporter_account_id", .uuid).update()
        if let sql = db as? any SQLDatabase {
            try await sql.raw("CREATE INDEX complaints_reporter_account ON complaints (reporter_account_id)").run()
            try await sql.raw("CREATE INDEX sessions_subject ON sessions (kind, subject_id)").run()
        }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX complaints_reporter_account").run() }
        try await db.schema("complaints").deleteField("reporter_account_id").update()
        try await db.schema("sessions").delete()
        try await db.schema("reporter_accounts").delete()
    }
}
