import AduanCore
import Fluent
import Foundation
import SQLKit

/// The stored monev counters (SPEC §8 and §11): `Tally`'s counters summed per month of submission, jurisdiction
/// and unit in `monev_tally`, and the durations of ended stages per band (for the medians) packed into one row per
/// month, jurisdiction and kind of stage in `monev_durations`, so a province-wide year reads a few thousand rows. `ComplaintStore.commit` moves them in the transaction that writes each event — the
/// complaint's counters before the event are taken away and those after it added, and a stage that ends adds its
/// own — so the figures are as current as the events. `rebuild` recomputes them all from the complaints and stages
/// (on upgrade, and by `aduan monev rebuild` after a repair).
enum MonevTally {
    static let table = "monev_tally"

    /// A row's key. `unit` is empty for the jurisdiction's totals; `month` is `yyyymm` of the submission day in the
    /// row jurisdiction's calendar.
    struct Key: Hashable, Comparable, Sendable {
        var month: Int
        var jurisdiction: String
        var unit: String
        var metric: String
        var key: String

        static func < (a: Key, b: Key) -> Bool {
            (a.month, a.jurisdiction, a.unit, a.metric, a.key) < (b.month, b.jurisdiction, b.unit, b.metric, b.key)
        }
    }

    /// A `monev_durations` row's key.
    struct DurationKey: Hashable, Comparable, Sendable {
        var month: Int
        var jurisdiction: String
        var kind: String

        static func < (a: DurationKey, b: DurationKey) -> Bool { (a.month, a.jurisdiction, a.kind) < (b.month, b.jurisdiction, b.kind) }
    }

    /// Changes to write: key → amount to add.
    struct Deltas: Sendable {
        private(set) var values: [Key: Tally.Value] = [:]
        /// Durations of ended stages: row → band → amount to add.
        private(set) var durations: [DurationKey: [Int: Tally.Value]] = [:]

        mutating func add(_ contributions: [Tally.Contribution], month: Int, jurisdiction: String, negate: Bool = false) {
            for c in contributions {
                let value = negate ? -c.value : c.value
                if c.metric == .stageDays, let (kind, band) = Tally.splitBand(c.key) {
                    let key = DurationKey(month: month, jurisdiction: jurisdiction, kind: kind)
                    durations[key, default: [:]][band] = (durations[key]?[band] ?? Tally.Value(n: 0)) + value
                    continue
                }
                let key = Key(month: month, jurisdiction: jurisdiction, unit: c.unit ?? "", metric: c.metric.rawValue, key: c.key)
                values[key] = (values[key] ?? Tally.Value(n: 0)) + value
            }
        }

        /// The complaint's counters, taken away (`negate`) when it moves on.
        mutating func add(_ complaint: ComplaintFacts, reference: ReferenceData, negate: Bool = false) {
            add(Tally.of(complaint), month: MonevTally.month(of: complaint.submittedAt, in: reference.calendar(for: complaint.jurisdiction)),
                jurisdiction: complaint.jurisdiction, negate: negate)
        }

        /// An ended stage of a complaint submitted at `submittedAt`.
        mutating func add(ended stage: StageFacts, submittedAt: Date, reference: ReferenceData) {
            let calendar = reference.calendar(for: stage.jurisdiction)
            guard let days = stage.duration(on: calendar) else { return }
            add(Tally.of(ended: stage, workingDays: days), month: MonevTally.month(of: submittedAt, in: calendar), jurisdiction: stage.jurisdiction)
        }
    }

    static func month(of date: Date, in calendar: WorkingCalendar) -> Int {
        let day = calendar.localDate(of: date)
        return day.year * 100 + day.month
    }

    /// Adds the deltas to the stored rows. Keys are written in order, so two transactions touching the same rows
    /// take their locks in the same order (PostgreSQL) and cannot deadlock on them.
    static func write(_ deltas: Deltas, on sql: any SQLDatabase) async throws {
        let rows = deltas.values.filter { !$0.value.isZero }.sorted { $0.key < $1.key }
        var start = 0
        while start < rows.count {
            let end = min(start + 200, rows.count)
            let insert = sql.insert(into: table).columns("month", "jurisdiction_code", "unit_id", "metric", "key", "n", "total")
            for (key, value) in rows[start..<end] {
                _ = insert.values(SQLBind(key.month), SQLBind(key.jurisdiction), SQLBind(key.unit), SQLBind(key.metric), SQLBind(key.key),
                                  SQLBind(value.n), SQLBind(value.total))
            }
            _ = insert.onConflict(with: ["month", "jurisdiction_code", "unit_id", "metric", "key"]) { update in
                update.set("n", to: SQLBinaryExpression(SQLColumn("n", table: table), .add, SQLExcludedColumn("n")))
                    .set("total", to: SQLBinaryExpression(SQLColumn("total", table: table), .add, SQLExcludedColumn("total")))
            }
            try await insert.run()
            start = end
        }
        try await writeDurations(deltas.durations, on: sql)
    }

    /// Merges the bands into their packed rows: each row is read (locked on PostgreSQL), merged and written back,
    /// in key order. A row two transactions create at once fails the second one's INSERT on the primary key, and
    /// that transaction is tried again (`withWriteTransaction`), so no band is lost.
    private static func writeDurations(_ durations: [DurationKey: [Int: Tally.Value]], on sql: any SQLDatabase) async throws {
        for (key, bands) in durations.sorted(by: { $0.key < $1.key }) where bands.values.contains(where: { !$0.isZero }) {
            var select = sql.select().column("bands").from(durationsTable)
                .where("month", .equal, SQLBind(key.month)).where("jurisdiction_code", .equal, SQLBind(key.jurisdiction))
                .where("kind", .equal, SQLBind(key.kind))
            if sql.dialect.name == "postgresql" { select = select.lockingClause(SQLLockingClause.update) }
            if let stored = try await select.first(decodingColumn: "bands", as: String.self) {
                var merged = unpack(stored)
                for (band, value) in bands { merged[band] = (merged[band] ?? Tally.Value(n: 0)) + value }
                try await sql.update(durationsTable).set("bands", to: SQLBind(pack(merged)))
                    .where("month", .equal, SQLBind(key.month)).where("jurisdiction_code", .equal, SQLBind(key.jurisdiction))
                    .where("kind", .equal, SQLBind(key.kind)).run()
            } else {
                try await sql.insert(into: durationsTable).columns("month", "jurisdiction_code", "kind", "bands")
                    .values(SQLBind(key.month), SQLBind(key.jurisdiction), SQLBind(key.kind), SQLBind(pack(bands))).run()
            }
        }
    }

    static let durationsTable = "monev_durations"

    /// `band:n:total` entries joined by `;`, in band order, zero bands left out.
    static func pack(_ bands: [Int: Tally.Value]) -> String {
        bands.filter { !$0.value.isZero }.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.n):\($0.value.total)" }.joined(separator: ";")
    }

    /// Reads `pack`'s text; a malformed entry is skipped. Split on UTF-8 bytes, not characters: a province-wide
    /// year reads about a million characters of it.
    static func unpack(_ text: String) -> [Int: Tally.Value] {
        var bands: [Int: Tally.Value] = [:]
        for entry in text.utf8.split(separator: UInt8(ascii: ";")) {
            let parts = entry.split(separator: UInt8(ascii: ":"), maxSplits: 2)
            guard parts.count == 3, let band = Int(Substring(parts[0])), let n = Int(Substring(parts[1])),
                  let total = Double(Substring(parts[2])) else { continue }
            bands[band] = Tally.Value(n: n, total: total)
        }
        return bands
    }

    /// The summed counters of `jurisdictions` for the months in [`fromMonth`, `toMonth`): per jurisdiction (its
    /// totals), per unit, and the complaints received per month.
    struct Read: Sendable {
        var jurisdictions: [String: TallySums] = [:]
        var units: [String: TallySums] = [:]
        var receivedByMonth: [Int: Int] = [:]
    }

    static func read(on sql: any SQLDatabase, jurisdictions: [String], fromMonth: Int, toMonth: Int) async throws -> Read {
        struct Row: Decodable { var m: Int; var jurisdiction_code: String; var unit_id: String; var metric: String; var key: String; var n: Int; var total: Double }
        // One pass over the range: months are kept apart only for `received` (the trend chart).
        let monthOfReceived = "CASE WHEN metric = 'received' AND unit_id = '' THEN month ELSE 0 END"
        var query = sql.select()
            .column(SQLAlias(SQLRaw(monthOfReceived), as: SQLIdentifier("m")))
            .column("jurisdiction_code").column("unit_id").column("metric").column("key")
            // PostgreSQL sums BIGINT as NUMERIC: cast back.
            .column(SQLRaw("CAST(SUM(n) AS BIGINT) AS n"))
            .column(SQLRaw("SUM(total) AS total"))
            .from(table)
            .where("month", .greaterThanOrEqual, SQLBind(fromMonth)).where("month", .lessThan, SQLBind(toMonth))
        if !jurisdictions.isEmpty { query = query.where("jurisdiction_code", .in, SQLBind.group(jurisdictions)) }
        query = query.groupBy(SQLRaw(monthOfReceived)).groupBy("jurisdiction_code").groupBy("unit_id").groupBy("metric").groupBy("key")
        var read = Read()
        struct DurationRow: Decodable { var jurisdiction_code: String; var kind: String; var bands: String }
        var durations = sql.select().columns("jurisdiction_code", "kind", "bands").from(durationsTable)
            .where("month", .greaterThanOrEqual, SQLBind(fromMonth)).where("month", .lessThan, SQLBind(toMonth))
        if !jurisdictions.isEmpty { durations = durations.where("jurisdiction_code", .in, SQLBind.group(jurisdictions)) }
        for row in try await durations.all(decoding: DurationRow.self) {
            for (band, value) in unpack(row.bands) {
                read.jurisdictions[row.jurisdiction_code, default: TallySums()].addBand(row.kind, band, value)
            }
        }
        for row in try await query.all(decoding: Row.self) {
            guard let metric = Tally.Metric(rawValue: row.metric) else { continue }
            let value = Tally.Value(n: row.n, total: row.total)
            if row.unit_id.isEmpty {
                read.jurisdictions[row.jurisdiction_code, default: TallySums()].add(metric, row.key, value)
                if metric == .received { read.receivedByMonth[row.m, default: 0] += row.n }
            } else {
                read.units[row.unit_id, default: TallySums()].add(metric, row.key, value)
            }
        }
        return read
    }

    /// Recomputes every counter from the `complaints` and `stages` tables and replaces what is stored, in one
    /// transaction (readers see the old counters or the new ones).
    @discardableResult
    static func rebuild(on db: any Database, reference: ReferenceData) async throws -> (complaints: Int, stages: Int) {
        try await db.transaction { tx in try await replace(on: tx, reference: reference) }
    }

    /// `rebuild` without its transaction (a migration runs it on a table it just made).
    @discardableResult
    static func replace(on db: any Database, reference: ReferenceData) async throws -> (complaints: Int, stages: Int) {
        guard let sql = db as? any SQLDatabase else { throw AppError(status: .internalServerError, code: "internal", message: "SQL database required") }
        let computed = try await compute(on: sql, reference: reference)
        try await sql.delete(from: table).run()
        try await sql.delete(from: durationsTable).run()
        try await write(computed.deltas, on: sql)
        return (computed.complaints, computed.stages)
    }

    /// The stored counters that differ from a fresh computation (none when they are right).
    static func check(on db: any Database, reference: ReferenceData) async throws -> [(key: Key, stored: Tally.Value, computed: Tally.Value)] {
        guard let sql = db as? any SQLDatabase else { throw AppError(status: .internalServerError, code: "internal", message: "SQL database required") }
        struct Row: Decodable { var month: Int; var jurisdiction_code: String; var unit_id: String; var metric: String; var key: String; var n: Int; var total: Double }
        let deltas = try await compute(on: sql, reference: reference).deltas
        var computed = deltas.values
        // The packed durations compared band by band, as keys of the `stage_days` metric.
        func flatten(_ rows: [DurationKey: [Int: Tally.Value]]) -> [Key: Tally.Value] {
            var out: [Key: Tally.Value] = [:]
            for (key, bands) in rows {
                for (band, value) in bands where !value.isZero {
                    out[Key(month: key.month, jurisdiction: key.jurisdiction, unit: "", metric: Tally.Metric.stageDays.rawValue,
                            key: Tally.bandKey(key.kind, band))] = value
                }
            }
            return out
        }
        computed.merge(flatten(deltas.durations)) { a, _ in a }
        struct DurationRow: Decodable { var month: Int; var jurisdiction_code: String; var kind: String; var bands: String }
        var storedDurations: [DurationKey: [Int: Tally.Value]] = [:]
        for row in try await sql.select().columns("month", "jurisdiction_code", "kind", "bands").from(durationsTable).all(decoding: DurationRow.self) {
            storedDurations[DurationKey(month: row.month, jurisdiction: row.jurisdiction_code, kind: row.kind)] = unpack(row.bands)
        }
        var stored: [Key: Tally.Value] = flatten(storedDurations)
        for row in try await sql.select().columns("month", "jurisdiction_code", "unit_id", "metric", "key", "n", "total").from(table)
            .all(decoding: Row.self) {
            let value = Tally.Value(n: row.n, total: row.total)
            if value.isZero { continue }
            stored[Key(month: row.month, jurisdiction: row.jurisdiction_code, unit: row.unit_id, metric: row.metric, key: row.key)] = value
        }
        let zero = Tally.Value(n: 0)
        return Set(stored.keys).union(computed.keys).sorted().compactMap { key in
            let a = stored[key] ?? zero, b = computed[key].flatMap { $0.isZero ? nil : $0 } ?? zero
            // Sums of durations may differ in the last bits by the order they were added in.
            return a.n == b.n && abs(a.total - b.total) <= 1e-6 * max(1, abs(b.total)) ? nil : (key, a, b)
        }
    }

    /// Every counter, computed from the rows in pages by id (memory grows with the counters, not the complaints).
    private static func compute(on sql: any SQLDatabase, reference: ReferenceData) async throws -> (deltas: Deltas, complaints: Int, stages: Int) {
        var deltas = Deltas()
        var complaints = 0, stages = 0
        var lastID = 0
        while true {
            let rows = try await MonevQuery.complaintPage(after: lastID, limit: 5_000, on: sql)
            guard let first = rows.first, let last = rows.last else { break }
            var submitted: [Int: Date] = [:]
            for row in rows {
                if let facts = row.facts { deltas.add(facts, reference: reference) }
                submitted[row.id] = row.submitted_at
            }
            for stage in try await MonevQuery.endedStages(ofComplaintsIn: first.id...last.id, on: sql) {
                guard let at = submitted[stage.complaintID] else { continue }
                deltas.add(ended: stage.facts, submittedAt: at, reference: reference)
                stages += 1
            }
            complaints += rows.count
            lastID = last.id
        }
        return (deltas, complaints, stages)
    }
}
