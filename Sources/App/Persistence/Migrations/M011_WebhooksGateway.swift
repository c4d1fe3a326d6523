import Fluent
import SQLKit

/// Outbound webhooks and the inbound SMS/WhatsApp gateway (issue 8): the sysadmin's webhook subscriptions (their
/// secrets sealed with the installation key), an index to list one subscription's deliveries from the outbox, and
/// the inbound messages already answered (the provider's message id makes a repeated message change nothing).
struct M011_WebhooksGateway: AsyncMigration {
    var name: String { "M011_WebhooksGateway" }

    func prepare(on db: any Database) async throws {
        try await db.schema("webhook_subscriptions")
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("url", .string, .required)
            .field("secret_sealed", .string, .required)
            // `*` for every public action, or a comma-separated list of actions.
            .field("events", .string, .required)
            .field("jurisdiction_code", .string, .required)
            .field("include_sub", .bool, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()

        try await db.schema("gateway_inbound")
            .field("message_id", .string, .identifier(auto: false))
            .field("channel", .string, .required)
            .field("sender_hash", .string, .required)
            .field("outcome", .string, .required)
            .field("tracking_id", .string)
            .field("answer", .string, .required)
            .field("received_at", .datetime, .required)
            .create()

        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX outbox_audience ON outbox (audience, id)").run()
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX outbox_audience").run() }
        try await db.schema("gateway_inbound").delete()
        try await db.schema("webhook_subscriptions").delete()
    }
}
