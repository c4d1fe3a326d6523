import Fluent
import SQLKit

/// The confidential complaints of a period, per cell of the monev breakdowns, for the small-count rule of SPEC §9
/// (`SmallCounts`, `MonevQuery.sensitive`): a partial index over the few confidential rows holding every column the
/// count reads, so the public statistics and the executives' views read only those rows, not the period's.
struct M015_ConfidentialCounts: AsyncMigration {
    var name: String { "M015_ConfidentialCounts" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            CREATE INDEX complaints_confidential ON complaints \
            (submitted_at, jurisdiction_code, unit_id, type, channel, category_code, state, archive_reason, disposition_count) \
            WHERE confidential = TRUE
            """).run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX complaints_confidential").run()
    }
}
