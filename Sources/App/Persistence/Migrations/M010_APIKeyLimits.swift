import Fluent
import SQLKit

/// API keys grow a rate limit, a bound scope and a refused count, with per-day usage counts; Open311 service
/// definitions get their attributes, the answers are kept with the complaint, and POST requests hands out tokens
/// (issue 8, SPEC §10).
struct M010_APIKeyLimits: AsyncMigration {
    var name: String { "M010_APIKeyLimits" }

    func prepare(on db: any Database) async throws {
        // One column per ALTER: SQLite adds one at a time. Existing keys get the default limit of 60 a minute.
        try await db.schema("api_keys").field("rate_limit", .int, .required, .sql(.default(60))).update()
        try await db.schema("api_keys").field("scope", .string).update()
        try await db.schema("api_keys").field("refused_count", .int, .required, .sql(.default(0))).update()

        // One row per key and day (the installation's local day), upserted atomically by every use.
        try await db.schema("api_key_usage")
            .field("id", .int, .identifier(auto: true))
            .field("key_id", .uuid, .required, .references("api_keys", "id"))
            .field("day", .string, .required)
            .field("uses", .int, .required)
            .field("refused", .int, .required)
            .unique(on: "key_id", "day")
            .create()

        // GeoReport v2 service definition attributes of a category; `value_list` is a JSON array of {key, name}.
        try await db.schema("category_attributes")
            .field("id", .int, .identifier(auto: true))
            .field("category_code", .string, .required, .references("categories", "code"))
            .field("code", .string, .required)
            .field("datatype", .string, .required)
            .field("required", .bool, .required)
            .field("variable", .bool, .required)
            .field("description", .string, .required)
            .field("datatype_description", .string)
            .field("position", .int, .required)
            .field("value_list", .string, .required)
            .unique(on: "category_code", "code")
            .create()

        // The answers given with a complaint (one row per value: a multivaluelist answer has several).
        try await db.schema("complaint_attributes")
            .field("id", .int, .identifier(auto: true))
            .field("complaint_id", .int, .required, .references("complaints", "id"))
            .field("code", .string, .required)
            .field("value", .string, .required)
            .create()

        // POST requests' tokens: complaints are created at once, so a token resolves to its request immediately.
        try await db.schema("open311_tokens")
            .field("token", .string, .identifier(auto: false))
            .field("complaint_id", .int, .required, .references("complaints", "id"))
            .field("created_at", .datetime, .required)
            .create()

        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX complaint_attributes_complaint ON complaint_attributes (complaint_id)").run()
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX complaint_attributes_complaint").run() }
        try await db.schema("open311_tokens").delete()
        try await db.schema("complaint_attributes").delete()
        try await db.schema("category_attributes").delete()
        try await db.schema("api_key_usage").delete()
        try await db.schema("api_keys").deleteField("refused_count").update()
        try await db.schema("api_keys").deleteField("scope").update()
        try await db.schema("api_keys").deleteField("rate_limit").update()
    }
}
