import AduanCore
import Fluent
import Foundation
import SQLKit

/// `aduan monev check`: whether the stored monev counters can be trusted, by three comparisons that do not share
/// the code that wrote them.
///
/// 1. The three counter tables agree: the month counters equal the day counters summed by month and the changes
///    summed over every day (each is written by its own statement; a lost or doubled write shows here).
/// 2. The counters equal plain SQL counts of the complaint and stage rows (`GROUP BY` over `complaints` and `stages`,
///    without `Tally`): received, by type, channel, category, state, archive reason; dispositioned, followed up,
///    completed, ratings, per jurisdiction and per unit; ended stages, on time and their working days per
///    jurisdiction and kind; received per month. A wrong formula in `Tally` shows here.
/// 3. A recomputation from the rows and the events (`MonevTally.compute`, the same formulas) equals what is stored:
///    a counter that drifted from its formulas shows here.
/// The figures themselves are checked against SPEC §8 by the independent oracle in `tests-monev-oracle/`.
enum MonevCheck {
    struct Difference: Sendable, CustomStringConvertible {
        var check: Int
        var what: String
        var stored: String
        var expected: String
        var description: String { "[\(check)] \(what): stored \(stored), expected \(expected)" }
    }

    static func run(on db: any Database, reference: ReferenceData) async throws -> [Difference] {
        guard let sql = db as? any SQLDatabase else { throw AppError(status: .internalServerError, code: "internal", message: "SQL database required") }
        var out: [Difference] = []
        out += try await tablesAgree(sql)
        out += try await rowCounts(sql, reference: reference)
        out += try await recomputation(sql, reference: reference)
        return out
    }

    typealias Sums = [String: Tally.Value]

    private static func differences(_ check: Int, _ stored: Sums, _ expected: Sums, tolerance: Double = 1e-6) -> [Difference] {
        let zero = Tally.Value(n: 0)
        return Set(stored.keys).union(expected.keys).sorted().compactMap { key in
            let a = stored[key] ?? zero, b = expected[key] ?? zero
            return a.n == b.n && abs(a.total - b.total) <= tolerance * max(1, abs(b.total)) ? nil
                : Difference(check: check, what: key, stored: "\(a.n) (\(a.total))", expected: "\(b.n) (\(b.total))")
        }
    }

    private struct Row: Decodable { var month: Int; var jurisdiction_code: String; var unit_id: String; var metric: String; var key: String; var n: Int; var total: Double }

    /// The month counters by `month|jurisdiction|unit|metric|key`, the packed bands as `stage_days` keys.
    private static func monthCounters(_ sql: any SQLDatabase) async throws -> Sums {
        var sums: Sums = [:]
        for row in try await sql.select().columns("month", "jurisdiction_code", "unit_id", "metric", "key", "n", "total")
            .from(MonevTally.table).all(decoding: Row.self) where row.n != 0 || row.total != 0 {
            sums["\(row.month)|\(row.jurisdiction_code)|\(row.unit_id)|\(row.metric)|\(row.key)"] = Tally.Value(n: row.n, total: row.total)
        }
        struct Bands: Decodable { var month: Int; var jurisdiction_code: String; var kind: String; var bands: String }
        for row in try await sql.select().columns("month", "jurisdiction_code", "kind", "bands").from(MonevTally.durationsTable)
            .all(decoding: Bands.self) {
            for (band, value) in MonevTally.unpack(row.bands) where !value.isZero {
                sums["\(row.month)|\(row.jurisdiction_code)||\(Tally.Metric.stageDays.rawValue)|\(Tally.bandKey(row.kind, band))"] = value
            }
        }
        return sums
    }

    /// 1: month = days summed by month = changes summed by month of submission.
    private static func tablesAgree(_ sql: any SQLDatabase) async throws -> [Difference] {
        let months = try await monthCounters(sql)
        func summed(_ table: String, month: String) async throws -> Sums {
            var sums: Sums = [:]
            let rows = try await sql.select().column(SQLAlias(SQLRaw(month), as: SQLIdentifier("month")))
                .columns("jurisdiction_code", "unit_id", "metric", "key")
                .column(SQLRaw("CAST(SUM(n) AS BIGINT) AS n")).column(SQLRaw("SUM(total) AS total"))
                .from(table).groupBy(SQLRaw(month)).groupBy("jurisdiction_code").groupBy("unit_id").groupBy("metric").groupBy("key")
                .all(decoding: Row.self)
            for row in rows where row.n != 0 || abs(row.total) > 1e-9 {
                sums["\(row.month)|\(row.jurisdiction_code)|\(row.unit_id)|\(row.metric)|\(row.key)"] = Tally.Value(n: row.n, total: row.total)
            }
            return sums
        }
        return differences(1, months, try await summed(MonevTally.dayTable, month: "day / 100"))
            + differences(1, months, try await summed(MonevTally.changeTable, month: "month"))
    }

    /// 2: the counters summed over all months against SQL counts of the rows.
    private static func rowCounts(_ sql: any SQLDatabase, reference: ReferenceData) async throws -> [Difference] {
        // The stored side, summed over months: jurisdiction|unit|metric|key; dispositioned etc. over all their keys.
        var stored: Sums = [:]
        var received: Sums = [:]
        for (key, value) in try await monthCounters(sql) {
            let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let metric = parts[3]
            if metric == Tally.Metric.stageDays.rawValue { continue }
            let grouped = [Tally.Metric.dispositioned.rawValue, Tally.Metric.followedUp.rawValue, Tally.Metric.completed.rawValue].contains(metric)
            let k = "\(parts[1])|\(parts[2])|\(metric)|\(grouped ? "" : parts[4])"
            stored[k] = (stored[k] ?? Tally.Value(n: 0)) + value
            if metric == Tally.Metric.received.rawValue && parts[2].isEmpty { received["\(parts[0])|\(parts[1])"] = value }
        }
        var expected: Sums = [:]
        struct Count: Decodable { var j: String; var k: String?; var n: Int; var total: Double? }
        func count(_ metric: Tally.Metric, key: String, filter: String = "1 = 1", unit: Bool = false, total: String = "0") async throws {
            let owner = unit ? "unit_id" : "jurisdiction_code"
            let rows = try await sql.raw(SQLQueryString("""
                SELECT \(unsafeRaw: owner) AS j, \(unsafeRaw: key) AS k, COUNT(*) AS n, CAST(SUM(\(unsafeRaw: total)) AS DOUBLE PRECISION) AS total
                FROM complaints WHERE \(unsafeRaw: filter) \(unsafeRaw: unit ? "AND unit_id IS NOT NULL AND disposition_count > 0" : "")
                GROUP BY 1, 2
                """)).all(decoding: Count.self)
            for row in rows {
                let k = unit ? "\(reference.tree.units[row.j]?.jurisdiction ?? "?")|\(row.j)|\(metric.rawValue)|\(row.k ?? "")"
                    : "\(row.j)||\(metric.rawValue)|\(row.k ?? "")"
                expected[k] = (expected[k] ?? Tally.Value(n: 0)) + Tally.Value(n: row.n, total: row.total ?? 0)
            }
        }
        try await count(.received, key: "''")
        try await count(.type, key: "type")
        try await count(.channel, key: "channel")
        try await count(.category, key: "COALESCE(category_code, 'none')")
        try await count(.state, key: "state")
        try await count(.confidential, key: "''", filter: "confidential = \(sql.dialect.name == "postgresql" ? "true" : "1")")
        try await count(.archiveReason, key: "COALESCE(archive_reason, 'lainnya')", filter: "state = 'diarsipkan'")
        let followed = "state IN ('diproses', 'ditanggapi', 'selesai')"
        for unit in [false, true] {
            try await count(.dispositioned, key: "''", filter: "disposition_count > 0", unit: unit)
            try await count(.followedUp, key: "''", filter: "disposition_count > 0 AND \(followed)", unit: unit)
            try await count(.completed, key: "''", filter: "disposition_count > 0 AND state = 'selesai'", unit: unit)
            try await count(.rating, key: "''", filter: "rating IS NOT NULL", unit: unit, total: "rating")
        }
        try await count(.ratedSelesai, key: "''", filter: "state = 'selesai' AND rating IS NOT NULL")
        try await count(.finalAnswer, key: "''", filter: "state = 'ditanggapi' OR reopen_count > 0 OR (state = 'selesai' AND disposition_count > 0)")
        try await count(.reopened, key: "''", filter: "reopen_count > 0")
        // Stages: ended, on time (the frozen flag, else the end against the due), their working days.
        let onTime = "CASE WHEN late IS NULL THEN (CASE WHEN ended_at <= due_at THEN 1 ELSE 0 END) WHEN late THEN 0 ELSE 1 END"
        struct StageCount: Decodable { var j: String; var kind: String; var n: Int; var on_time: Int; var days: Double? }
        for unit in [false, true] {
            let owner = unit ? "unit_id" : "jurisdiction_code"
            let rows = try await sql.raw(SQLQueryString("""
                SELECT \(unsafeRaw: owner) AS j, kind, COUNT(*) AS n, CAST(SUM(\(unsafeRaw: onTime)) AS BIGINT) AS on_time,
                       CAST(SUM(working_days) AS DOUBLE PRECISION) AS days
                FROM stages WHERE ended_at IS NOT NULL \(unsafeRaw: unit ? "AND unit_id IS NOT NULL AND kind = 'response'" : "")
                GROUP BY \(unsafeRaw: owner), kind
                """)).all(decoding: StageCount.self)
            for row in rows {
                let place = unit ? "\(reference.tree.units[row.j]?.jurisdiction ?? "?")|\(row.j)" : "\(row.j)|"
                expected["\(place)|\(Tally.Metric.stageEnded.rawValue)|\(row.kind)"] = Tally.Value(n: row.n, total: row.days ?? 0)
                if row.on_time > 0 { expected["\(place)|\(Tally.Metric.stageOnTime.rawValue)|\(row.kind)"] = Tally.Value(n: row.on_time) }
            }
        }
        expected = expected.filter { !$0.value.isZero }
        // The counters of a complaint are in its jurisdiction's rows; a unit's in the unit's jurisdiction's.
        var out = differences(2, stored.filter { !$0.value.isZero }, expected)
        // Received per month of submission, in each jurisdiction's calendar.
        struct Submitted: Decodable { var jurisdiction_code: String; var submitted_at: Date }
        var perMonth: Sums = [:]
        var lastID = 0
        while true {
            struct Page: Decodable { var id: Int; var jurisdiction_code: String; var submitted_at: Date }
            let page = try await sql.select().columns("id", "jurisdiction_code", "submitted_at").from("complaints")
                .where("id", .greaterThan, SQLBind(lastID)).orderBy("id").limit(20_000).all(decoding: Page.self)
            guard let last = page.last else { break }
            for row in page {
                let k = "\(MonevTally.month(of: row.submitted_at, in: reference.calendar(for: row.jurisdiction_code)))|\(row.jurisdiction_code)"
                perMonth[k] = (perMonth[k] ?? Tally.Value(n: 0)) + Tally.Value(n: 1)
            }
            lastID = last.id
        }
        out += differences(2, received, perMonth)
        return out
    }

    /// 3: the stored counters against a recomputation from the rows and events.
    private static func recomputation(_ sql: any SQLDatabase, reference: ReferenceData) async throws -> [Difference] {
        var computed = MonevTally.Deltas()
        try await MonevTally.compute(on: sql, reference: reference) { deltas, _, _, _ in computed.add(deltas) }
        let rows = computed.rows()
        var expected: Sums = [:]
        for (key, value) in rows.months where !value.isZero {
            expected["\(key.bucket)|\(key.jurisdiction)|\(key.unit)|\(key.metric)|\(key.key)"] = value
        }
        for (key, bands) in rows.durations {
            for (band, value) in bands where !value.isZero {
                expected["\(key.month)|\(key.jurisdiction)||\(Tally.Metric.stageDays.rawValue)|\(Tally.bandKey(key.kind, band))"] = value
            }
        }
        var out = differences(3, try await monthCounters(sql), expected)
        // And the changes per day, which the figures as of a past date read.
        struct ChangeRow: Decodable { var day: Int; var month: Int; var jurisdiction_code: String; var unit_id: String; var metric: String; var key: String; var n: Int; var total: Double }
        var stored: Sums = [:]
        for row in try await sql.select().columns("day", "month", "jurisdiction_code", "unit_id", "metric", "key", "n", "total")
            .from(MonevTally.changeTable).all(decoding: ChangeRow.self) where row.n != 0 || abs(row.total) > 1e-9 {
            stored["\(row.day)/\(row.month)|\(row.jurisdiction_code)|\(row.unit_id)|\(row.metric)|\(row.key)"] = Tally.Value(n: row.n, total: row.total)
        }
        var changes: Sums = [:]
        for (key, value) in rows.changes where !value.isZero {
            changes["\(key.bucket)/\(key.month)|\(key.jurisdiction)|\(key.unit)|\(key.metric)|\(key.key)"] = value
        }
        out += differences(3, stored, changes)
        return out
    }
}
