import Fluent
import SQLKit

/// QR codes that take a citizen straight to a unit's form (SPEC §6).
struct M003_QRCodes: AsyncMigration {
    var name: String { "M003_QRCodes" }

    func prepare(on db: any Database) async throws {
        try await db.schema("qr_codes")
            .id()
            .field("code", .string, .required)
            .field("unit_id", .string, .required)
            .field("label", .string)
            .field("location", .string)
            .field("active", .bool, .required)
            .field("replaced_by", .string)
            .field("scans", .int, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .unique(on: "code")
            .create()
        if let sql = db as? any SQLDatabase {
            try await sql.raw("CREATE INDEX qr_codes_unit ON qr_codes (unit_id)").run()
            try await sql.raw("CREATE INDEX complaints_qr_code ON complaints (qr_code)").run()
        }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX complaints_qr_code").run() }
        try await db.schema("qr_codes").delete()
    }
}
