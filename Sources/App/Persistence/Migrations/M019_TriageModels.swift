import Fluent

/// Triage that learns (issue 16): the trained model of each jurisdiction, stored in the database so that every
/// instance suggests from the same one. A new training adds a row with the next version; instances reload when
/// they see a newer version. The evaluation measured at training time is kept beside it for the sysadmin's page.
struct M019_TriageModels: AsyncMigration {
    var name: String { "M019_TriageModels" }

    func prepare(on db: any Database) async throws {
        try await db.schema("triage_models")
            .field("id", .int, .identifier(auto: true))
            .field("jurisdiction_code", .string, .required)
            .field("version", .int, .required)
            /// `TriageModel.encoded()`: versioned little-endian binary.
            .field("model", .data, .required)
            .field("trained_at", .datetime, .required)
            .field("examples", .int, .required)
            .field("unit_examples", .int, .required)
            .field("category_examples", .int, .required)
            /// JSON: top-1, top-3, macro-F1 and confusions of units and categories, from a split by date at training time.
            .field("evaluation", .string)
            .field("trained_by", .string, .required)
            .unique(on: "jurisdiction_code", "version")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("triage_models").delete()
    }
}
