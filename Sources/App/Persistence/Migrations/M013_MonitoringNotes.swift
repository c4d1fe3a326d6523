import Fluent
import SQLKit

/// The inspectorate's monitoring notes on a unit (issue 7): findings kept by the inspectorate, without the formal
/// answer a warning (teguran) demands.
struct M013_MonitoringNotes: AsyncMigration {
    var name: String { "M013_MonitoringNotes" }

    func prepare(on db: any Database) async throws {
        try await db.schema("monitoring_notes")
            .field("id", .int, .identifier(auto: true))
            .field("unit_id", .string, .required)
            .field("jurisdiction_code", .string, .required)
            .field("text", .string, .required)
            .field("written_by", .string, .required)
            .field("written_at", .datetime, .required)
            .create()
        if let sql = db as? any SQLDatabase {
            try await sql.raw("CREATE INDEX monitoring_notes_written ON monitoring_notes (written_at)").run()
        }
    }

    func revert(on db: any Database) async throws {
        try await db.schema("monitoring_notes").delete()
    }
}
