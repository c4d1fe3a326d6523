import Fluent

/// Formal warnings (teguran) from the inspectorate to a unit, acknowledged by the unit head (SPEC §4).
struct M006_Warnings: AsyncMigration {
    var name: String { "M006_Warnings" }

    func prepare(on db: any Database) async throws {
        try await db.schema("warnings")
            .field("id", .int, .identifier(auto: true))
            .field("unit_id", .string, .required)
            .field("jurisdiction_code", .string, .required)
            .field("complaint_id", .int)
            .field("text", .string, .required)
            .field("issued_by", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("acknowledge_by", .datetime, .required)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by", .string)
            .field("response", .string)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("warnings").delete()
    }
}
