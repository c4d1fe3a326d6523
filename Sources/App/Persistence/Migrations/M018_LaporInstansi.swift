import Fluent
import SQLKit

/// Real SP4N-LAPOR! exports (issue 15): the agency LAPOR dispositioned an imported complaint to, as LAPOR wrote it
/// (so the names that match no unit can be listed and given an alias), and the aliases: other names of a unit,
/// saved by a coordinator or loaded with the organisation CSV.
struct M018_LaporInstansi: AsyncMigration {
    var name: String { "M018_LaporInstansi" }

    func prepare(on db: any Database) async throws {
        try await db.schema("complaints").field("lapor_instansi", .string).update()
        try await db.schema("unit_aliases")
            .field("id", .int, .identifier(auto: true))
            .field("jurisdiction_code", .string, .required)
            .field("alias", .string, .required)
            /// The alias's comparison key (case, accents and punctuation folded): one unit per key and jurisdiction.
            .field("alias_key", .string, .required)
            .field("unit_id", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "jurisdiction_code", "alias_key")
            .create()
        if let sql = db as? any SQLDatabase {
            try await sql.raw("CREATE INDEX complaints_lapor_instansi ON complaints (jurisdiction_code, lapor_instansi)").run()
        }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX complaints_lapor_instansi").run() }
        try await db.schema("unit_aliases").delete()
        try await db.schema("complaints").deleteField("lapor_instansi").update()
    }
}
