import Fluent
import SQLKit

/// The audit chain beyond each complaint's events (issue 17, finding 11): the audit log gets its own hash chain
/// (`prev_hash`, `hash`; rows written before this migration are sealed in order by the first audit write after it),
/// and the worker writes signed anchors over the ids of every complaint, event and audit row, so a deletion of a
/// whole complaint with its events is detected.
struct M017_AuditChain: AsyncMigration {
    var name: String { "M017_AuditChain" }

    func prepare(on db: any Database) async throws {
        try await db.schema("audit_log").field("prev_hash", .string).update()
        try await db.schema("audit_log").field("hash", .string).update()
        try await db.schema("audit_anchors")
            .field("id", .int, .identifier(auto: true))
            .field("at", .datetime, .required)
            // Highest id covered so far, and the ids this anchor adds (since the previous one) as ranges "1-40,42-57".
            .field("complaint_max_id", .int, .required)
            .field("complaint_ids", .string, .required)
            .field("event_max_id", .int, .required)
            .field("event_ids", .string, .required)
            .field("audit_max_id", .int, .required)
            .field("audit_ids", .string, .required)
            // The hash of the newest audit row covered (the head of the audit log's own chain).
            .field("audit_head", .string, .required)
            .field("prev_mac", .string, .required)
            .field("mac", .string, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("audit_anchors").delete()
        try await db.schema("audit_log").deleteField("hash").update()
        try await db.schema("audit_log").deleteField("prev_hash").update()
    }
}

/// Each webhook receiver's circuit breaker (issue 17, finding 8): consecutive failures, how often it opened in a row,
/// and until when it stays open.
struct M017_DeliveryCircuits: AsyncMigration {
    var name: String { "M017_DeliveryCircuits" }

    func prepare(on db: any Database) async throws {
        try await db.schema("delivery_circuits")
            .field("receiver", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("trips", .int, .required)
            .field("open_until", .datetime)
            .field("last_error", .string)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("delivery_circuits").delete()
    }
}
