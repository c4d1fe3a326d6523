import Fluent
import SQLKit

/// Issue 18: the request limits every instance of a scaled-out installation shares. With PostgreSQL the submission
/// limit per client address (fixed one-minute windows) and each API key's limit (the theoretical arrival time of its
/// next request) are counted here, in one atomic statement per request, instead of in each process's memory. SQLite
/// (one instance) keeps counting in memory and never writes this table.
struct M025_SharedRateLimits: AsyncMigration {
    var name: String { "M025_SharedRateLimits" }

    func prepare(on db: any Database) async throws {
        try await db.schema("rate_limits")
            .field("bucket", .string, .identifier(auto: false))
            .field("window_id", .int64, .required)
            .field("hits", .int, .required)
            .field("tat", .double, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("rate_limits").delete()
    }
}
