import Fluent
import SQLKit

/// Monev figures an inspector can sign (issue 13):
/// - `complaints.disposition_jurisdictions`: where each complaint was dispositioned (SPEC §8 "dispositioned" is a
///   complaint that reached a handling unit in scope), filled from the event log;
/// - counters per day of submission (`monev_tally_day`: any period, not only whole months) and per day of change
///   (`monev_changes`: the figures as of a past date are today's counters minus the changes after it);
/// - `stage_reschedules`: the due a stage had before an extension or supervision moved it (as of a past date, a stage
///   is measured against the due it had then);
/// - indexes that read the exact median from the stages in one band and the stages that ended after a date.
/// The stored counters are marked out of date: the application recomputes them when it starts
/// (`MonevTally.ensureCurrent`), so figures written by the old formulas are never served.
struct M014_MonevExact: AsyncMigration {
    var name: String { "M014_MonevExact" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE complaints ADD COLUMN disposition_jurisdictions TEXT NOT NULL DEFAULT ''").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                UPDATE complaints SET disposition_jurisdictions = COALESCE((SELECT string_agg(DISTINCT e.jurisdiction_code, ',' ORDER BY e.jurisdiction_code)
                    FROM events e WHERE e.complaint_id = complaints.id AND e.action IN ('verify', 'redispose')), '')
                WHERE disposition_count > 0
                """).run()
        } else {
            // group_concat's order is not defined: the application reads the list as a set.
            try await sql.raw("""
                UPDATE complaints SET disposition_jurisdictions = COALESCE((SELECT group_concat(DISTINCT e.jurisdiction_code)
                    FROM events e WHERE e.complaint_id = complaints.id AND e.action IN ('verify', 'redispose')), '')
                WHERE disposition_count > 0
                """).run()
        }
        try await sql.raw("""
            CREATE TABLE monev_tally_day (
                day BIGINT NOT NULL,
                jurisdiction_code TEXT NOT NULL,
                unit_id TEXT NOT NULL,
                metric TEXT NOT NULL,
                key TEXT NOT NULL,
                n BIGINT NOT NULL,
                total DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (day, jurisdiction_code, unit_id, metric, key)
            )
            """).run()
        try await sql.raw("""
            CREATE TABLE monev_changes (
                day BIGINT NOT NULL,
                month BIGINT NOT NULL,
                jurisdiction_code TEXT NOT NULL,
                unit_id TEXT NOT NULL,
                metric TEXT NOT NULL,
                key TEXT NOT NULL,
                n BIGINT NOT NULL,
                total DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (day, month, jurisdiction_code, unit_id, metric, key)
            )
            """).run()
        try await sql.raw("""
            CREATE TABLE stage_reschedules (
                stage_id BIGINT NOT NULL,
                complaint_id BIGINT NOT NULL,
                at \(raw: sql.dialect.name == "postgresql" ? "TIMESTAMPTZ" : "REAL") NOT NULL,
                previous_due_at \(raw: sql.dialect.name == "postgresql" ? "TIMESTAMPTZ" : "REAL") NOT NULL
            )
            """).run()
        try await sql.raw("CREATE INDEX stage_reschedules_at ON stage_reschedules (at, stage_id)").run()
        // The exact median: the ended stages of one kind in one band of working days, in order, filtered by scope,
        // period and (as of a date) the end, from the index alone.
        try await sql.raw("""
            CREATE INDEX stages_ended_days ON stages (kind, working_days, jurisdiction_code, submitted_at, ended_at, unit_id)
            WHERE ended_at IS NOT NULL
            """).run()
        // As of a date: the stages still open then that have ended since.
        try await sql.raw("""
            CREATE INDEX stages_ended_at ON stages (ended_at, due_at, jurisdiction_code, kind, unit_id, submitted_at)
            WHERE ended_at IS NOT NULL
            """).run()
        try await sql.raw("DELETE FROM settings WHERE key = 'monev_counters_version'").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX stages_ended_at").run()
        try await sql.raw("DROP INDEX stages_ended_days").run()
        try await sql.raw("DROP TABLE stage_reschedules").run()
        try await sql.raw("DROP TABLE monev_changes").run()
        try await sql.raw("DROP TABLE monev_tally_day").run()
        try await sql.raw("ALTER TABLE complaints DROP COLUMN disposition_jurisdictions").run()
        try await sql.raw("DELETE FROM settings WHERE key = 'monev_counters_version'").run()
    }
}
