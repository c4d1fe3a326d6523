import Fluent
import SQLKit

/// The SP4N-LAPOR! bridge and import (issue 8): the LAPOR number of imported complaints (unique, so importing an
/// export twice adds nothing), the last status LAPOR reported for forwarded ones, and the status sync's bookkeeping.
struct M009_LaporInterop: AsyncMigration {
    var name: String { "M009_LaporInterop" }

    func prepare(on db: any Database) async throws {
        // One column per ALTER: SQLite adds one at a time.
        try await db.schema("complaints").field("lapor_id", .string).update()
        try await db.schema("complaints").field("external_status", .string).update()
        try await db.schema("complaints").field("external_status_at", .datetime).update()

        // When each forwarded complaint was last asked about; `finished` once LAPOR's status is final.
        try await db.schema("lapor_sync")
            .field("complaint_id", .int, .identifier(auto: false), .references("complaints", "id"))
            .field("checked_at", .datetime, .required)
            .field("finished", .bool, .required)
            .field("last_error", .string)
            .create()

        guard let sql = db as? any SQLDatabase else { return }
        // Both engines allow any number of NULLs in a unique index: only imported complaints carry a number.
        try await sql.raw("CREATE UNIQUE INDEX complaints_lapor_id ON complaints (lapor_id)").run()
        try await sql.raw("CREATE INDEX complaints_external ON complaints (external_destination, external_ref)").run()
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            try await sql.raw("DROP INDEX complaints_external").run()
            try await sql.raw("DROP INDEX complaints_lapor_id").run()
        }
        try await db.schema("lapor_sync").delete()
        try await db.schema("complaints").deleteField("external_status_at").update()
        try await db.schema("complaints").deleteField("external_status").update()
        try await db.schema("complaints").deleteField("lapor_id").update()
    }
}
