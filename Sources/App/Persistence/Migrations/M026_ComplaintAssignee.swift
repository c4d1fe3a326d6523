import Fluent
import SQLKit

/// Who has a complaint inside its handling unit (issue 19): the officer's user name, null when nobody has taken it.
/// The queue's "milik saya" filter reads the index (only assigned rows are in it).
struct M026_ComplaintAssignee: AsyncMigration {
    var name: String { "M026_ComplaintAssignee" }

    func prepare(on db: any Database) async throws {
        try await db.schema("complaints").field("assignee_id", .string).update()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX complaints_assignee ON complaints (assignee_id, officer_due) WHERE assignee_id IS NOT NULL").run()
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX complaints_assignee").run() }
        try await db.schema("complaints").deleteField("assignee_id").update()
    }
}
