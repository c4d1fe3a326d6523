import Fluent
import SQLKit

/// The daily digest's items are recorded once per message (a redelivered message adds nothing), and a warning's
/// reminder is sent once when its answer is late.
struct M008_DigestAndReminders: AsyncMigration {
    var name: String { "M008_DigestAndReminders" }

    func prepare(on db: any Database) async throws {
        try await db.schema("digest_items").field("message_key", .string).update()
        try await db.schema("warnings").field("reminded_at", .datetime).update()
        if let sql = db as? any SQLDatabase {
            try await sql.create(index: "digest_items_once").unique().on("digest_items").column("user_id").column("message_key").run()
        }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.drop(index: "digest_items_once").run() }
        try await db.schema("warnings").deleteField("reminded_at").update()
        try await db.schema("digest_items").deleteField("message_key").update()
    }
}
