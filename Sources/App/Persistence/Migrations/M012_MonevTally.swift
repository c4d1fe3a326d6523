import Fluent
import SQLKit

/// The stored monev counters (issue 7, SPEC §11: the province-wide dashboard over 1,000,000 complaints in 200 ms):
/// `monev_tally` and `monev_durations` (see `MonevTally`); on each stage the working days it took (frozen when it
/// ends) and its complaint's submission time, with an index of the open stages that answers "past due now" alone;
/// indexes for the escalation list and the inbox. The counters of complaints already stored are computed at once.
struct M012_MonevTally: AsyncMigration {
    var name: String { "M012_MonevTally" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            CREATE TABLE monev_tally (
                month BIGINT NOT NULL,
                jurisdiction_code TEXT NOT NULL,
                unit_id TEXT NOT NULL,
                metric TEXT NOT NULL,
                key TEXT NOT NULL,
                n BIGINT NOT NULL,
                total DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (month, jurisdiction_code, unit_id, metric, key)
            )
            """).run()
        try await sql.raw("""
            CREATE TABLE monev_durations (
                month BIGINT NOT NULL,
                jurisdiction_code TEXT NOT NULL,
                kind TEXT NOT NULL,
                bands TEXT NOT NULL,
                PRIMARY KEY (month, jurisdiction_code, kind)
            )
            """).run()
        // One column per ALTER: SQLite adds one at a time.
        try await db.schema("stages").field("working_days", .double).update()
        try await db.schema("stages").field("submitted_at", .datetime).update()
        try await sql.raw("UPDATE stages SET submitted_at = (SELECT submitted_at FROM complaints WHERE complaints.id = stages.complaint_id)").run()
        // It replaces `stages_open` (ended_at, due_at), which the planner would prefer and which needs the table rows.
        try await sql.raw("DROP INDEX stages_open").run()
        try await sql.raw("""
            CREATE INDEX stages_open_overdue ON stages (due_at, jurisdiction_code, kind, unit_id, submitted_at) WHERE ended_at IS NULL
            """).run()
        try await sql.raw("CREATE INDEX complaints_escalated ON complaints (escalation_level, officer_due)").run()
        // The inbox (and the unread count on every officer page) looks for complaints touched since a moment.
        try await sql.raw("CREATE INDEX complaints_updated ON complaints (updated_at)").run()
        // Frozen (issue 14: a shipped migration calls no live code). It once computed the counters here; since M014
        // the application computes them after every migration (`MonevTally.ensureCurrent`), and this step only
        // empties the two tables it has just made, as `MonevTally.replace` did when it was frozen.
        try await sql.raw("DELETE FROM monev_tally").run()
        try await sql.raw("DELETE FROM monev_durations").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX complaints_updated").run()
        try await sql.raw("DROP INDEX complaints_escalated").run()
        try await sql.raw("DROP INDEX stages_open_overdue").run()
        try await sql.raw("CREATE INDEX stages_open ON stages (ended_at, due_at)").run()
        try await db.schema("stages").deleteField("submitted_at").update()
        try await db.schema("stages").deleteField("working_days").update()
        try await sql.raw("DROP TABLE monev_durations").run()
        try await sql.raw("DROP TABLE monev_tally").run()
    }
}
