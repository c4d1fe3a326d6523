import Fluent

/// API keys for integrations (Open311 submission first; SPEC §10). Only the SHA-256 of a key is stored.
struct M004_APIKeys: AsyncMigration {
    var name: String { "M004_APIKeys" }

    func prepare(on db: any Database) async throws {
        try await db.schema("api_keys")
            .id()
            .field("name", .string, .required)
            .field("key_hash", .string, .required)
            .field("scopes", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("use_count", .int, .required)
            .field("active", .bool, .required)
            .unique(on: "key_hash")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("api_keys").delete()
    }
}
