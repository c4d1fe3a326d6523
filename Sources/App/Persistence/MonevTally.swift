import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The stored monev counters (SPEC §8, §11): `Tally`'s counters summed, kept in the transaction of every event.
///
/// - `monev_tally`: per month of submission, jurisdiction and unit (a whole month or year reads a few thousand rows),
///   with the bands of stage durations packed per month in `monev_durations`;
/// - `monev_tally_day`: the same per day of submission (a period that cuts months adds its edge days);
/// - `monev_changes`: the same changes per day they happened and month of submission (the figures as of a past day
///   are today's counters minus the changes after that day).
/// Months and days are those of the complaint's jurisdiction's calendar (of the stage's, for a stage). Each table sums
/// to the same counters: `aduan monev check` compares them with each other and with counts of the rows.
enum MonevTally {
    static let table = "monev_tally"
    static let dayTable = "monev_tally_day"
    static let changeTable = "monev_changes"
    static let durationsTable = "monev_durations"
    /// The settings key holding the `Tally.version` the stored counters were computed with.
    static let versionSetting = "monev_counters_version"

    /// One counter of one table's row: `bucket` is the month (`yyyymm`) or day (`yyyymmdd`), `month` the month of
    /// submission of a change row (0 elsewhere).
    struct Key: Hashable, Comparable, Sendable {
        var bucket: Int
        var month: Int
        var jurisdiction: String
        var unit: String
        var metric: String
        var key: String

        static func < (a: Key, b: Key) -> Bool {
            (a.bucket, a.month, a.jurisdiction, a.unit, a.metric, a.key) < (b.bucket, b.month, b.jurisdiction, b.unit, b.metric, b.key)
        }
    }

    /// A `monev_durations` row's key.
    struct DurationKey: Hashable, Comparable, Sendable {
        var month: Int
        var jurisdiction: String
        var kind: String

        static func < (a: DurationKey, b: DurationKey) -> Bool { (a.month, a.jurisdiction, a.kind) < (b.month, b.jurisdiction, b.kind) }
    }

    /// Where a contribution lands: the complaint's submission month and day and the day of the change.
    struct Place: Hashable, Sendable {
        var month: Int
        var day: Int
        var changeDay: Int
        var jurisdiction: String
    }

    /// Changes to write, by place: contribution key → amount to add.
    struct Deltas: Sendable {
        private(set) var values: [Place: [Tally.Metric: [UnitKey: Tally.Value]]] = [:]

        struct UnitKey: Hashable, Sendable { var unit: String; var key: String }

        var isEmpty: Bool { values.isEmpty }

        mutating func add(_ contributions: [Tally.Contribution], at place: Place, negate: Bool = false) {
            for c in contributions {
                let value = negate ? -c.value : c.value
                let k = UnitKey(unit: c.unit ?? "", key: c.key)
                values[place, default: [:]][c.metric, default: [:]][k, default: Tally.Value(n: 0)] =
                    (values[place]?[c.metric]?[k] ?? Tally.Value(n: 0)) + value
            }
        }

        /// The complaint's counters at `at` (the instant of the event), taken away (`negate`) when it moves on.
        mutating func add(_ complaint: ComplaintFacts, at: Date, reference: ReferenceData, negate: Bool = false) {
            let calendar = reference.calendar(for: complaint.jurisdiction)
            add(Tally.of(complaint), at: MonevTally.place(submitted: complaint.submittedAt, at: at, jurisdiction: complaint.jurisdiction,
                                                         calendar: calendar), negate: negate)
        }

        /// An ended stage of a complaint submitted at `submittedAt`; it ended at its `endedAt`.
        mutating func add(ended stage: StageFacts, submittedAt: Date, reference: ReferenceData) {
            let calendar = reference.calendar(for: stage.jurisdiction)
            guard let days = stage.duration(on: calendar), let ended = stage.endedAt else { return }
            add(Tally.of(ended: stage, workingDays: days),
                at: MonevTally.place(submitted: submittedAt, at: ended, jurisdiction: stage.jurisdiction, calendar: calendar))
        }

        mutating func add(_ other: Deltas) {
            for (place, metrics) in other.values {
                for (metric, keys) in metrics {
                    for (k, v) in keys {
                        values[place, default: [:]][metric, default: [:]][k, default: Tally.Value(n: 0)] =
                            (values[place]?[metric]?[k] ?? Tally.Value(n: 0)) + v
                    }
                }
            }
        }

        /// The rows of the three tables and the packed month durations.
        func rows() -> (months: [Key: Tally.Value], days: [Key: Tally.Value], changes: [Key: Tally.Value],
                        durations: [DurationKey: [Int: Tally.Value]]) {
            var months: [Key: Tally.Value] = [:], days: [Key: Tally.Value] = [:], changes: [Key: Tally.Value] = [:]
            var durations: [DurationKey: [Int: Tally.Value]] = [:]
            let zero = Tally.Value(n: 0)
            for (place, metrics) in values {
                for (metric, keys) in metrics {
                    for (k, v) in keys where !v.isZero {
                        if metric == .stageDays, let (kind, band) = Tally.splitBand(k.key) {
                            let d = DurationKey(month: place.month, jurisdiction: place.jurisdiction, kind: kind)
                            durations[d, default: [:]][band] = (durations[d]?[band] ?? zero) + v
                        } else {
                            let m = Key(bucket: place.month, month: 0, jurisdiction: place.jurisdiction, unit: k.unit, metric: metric.rawValue, key: k.key)
                            months[m] = (months[m] ?? zero) + v
                        }
                        let d = Key(bucket: place.day, month: 0, jurisdiction: place.jurisdiction, unit: k.unit, metric: metric.rawValue, key: k.key)
                        days[d] = (days[d] ?? zero) + v
                        let c = Key(bucket: place.changeDay, month: place.month, jurisdiction: place.jurisdiction, unit: k.unit,
                                    metric: metric.rawValue, key: k.key)
                        changes[c] = (changes[c] ?? zero) + v
                    }
                }
            }
            return (months, days, changes, durations)
        }
    }

    static func month(of date: Date, in calendar: WorkingCalendar) -> Int {
        let day = calendar.localDate(of: date)
        return day.year * 100 + day.month
    }

    static func day(of date: Date, in calendar: WorkingCalendar) -> Int { dayKey(calendar.localDate(of: date)) }

    static func dayKey(_ day: LocalDate) -> Int { day.year * 10_000 + day.month * 100 + day.day }

    static func place(submitted: Date, at: Date, jurisdiction: String, calendar: WorkingCalendar) -> Place {
        let submittedDay = calendar.localDate(of: submitted)
        return Place(month: submittedDay.year * 100 + submittedDay.month, day: dayKey(submittedDay), changeDay: day(of: at, in: calendar),
                     jurisdiction: jurisdiction)
    }

    // MARK: - Writing

    /// Adds the deltas to the stored rows. Keys are written in order, so two transactions touching the same rows
    /// take their locks in the same order (PostgreSQL) and cannot deadlock on them.
    /// Counter changes gathered over the commits of one transaction and written once, before it ends: a bulk import
    /// adds hundreds of complaints to the same few counter rows, and writing them per complaint cost more than the
    /// complaints. Owned by the one task that runs the transaction.
    final class Pending: @unchecked Sendable {
        private(set) var deltas = Deltas()
        func add(_ more: Deltas) { deltas.add(more) }
        func write(on sql: any SQLDatabase) async throws { try await MonevTally.write(deltas, on: sql) }
    }

    static func write(_ deltas: Deltas, on sql: any SQLDatabase) async throws {
        guard !deltas.isEmpty else { return }
        let rows = deltas.rows()
        try await upsert(rows.months, into: table, bucket: "month", on: sql)
        try await upsert(rows.days, into: dayTable, bucket: "day", on: sql)
        try await upsert(rows.changes, into: changeTable, bucket: "day", month: true, on: sql)
        try await writeDurations(rows.durations, on: sql)
    }

    private static func upsert(_ values: [Key: Tally.Value], into table: String, bucket: String, month: Bool = false,
                               on sql: any SQLDatabase) async throws {
        let rows = values.filter { !$0.value.isZero }.sorted { $0.key < $1.key }
        let keyColumns = [bucket] + (month ? ["month"] : []) + ["jurisdiction_code", "unit_id", "metric", "key"]
        var start = 0
        while start < rows.count {
            let end = min(start + 200, rows.count)
            let insert = sql.insert(into: table).columns(keyColumns + ["n", "total"])
            for (key, value) in rows[start..<end] {
                var binds: [any SQLExpression] = [SQLBind(key.bucket)]
                if month { binds.append(SQLBind(key.month)) }
                binds += [SQLBind(key.jurisdiction), SQLBind(key.unit), SQLBind(key.metric), SQLBind(key.key), SQLBind(value.n), SQLBind(value.total)]
                _ = insert.values(binds)
            }
            _ = insert.onConflict(with: keyColumns) { update in
                update.set("n", to: SQLBinaryExpression(SQLColumn("n", table: table), .add, SQLExcludedColumn("n")))
                    .set("total", to: SQLBinaryExpression(SQLColumn("total", table: table), .add, SQLExcludedColumn("total")))
            }
            try await insert.run()
            start = end
        }
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

    /// Parsed `bands` texts, by their text. The rows of past months do not change, so a dashboard read again parses
    /// only the rows written since: parsing a province's year (~500 rows, ~50,000 bands) was a sixth of the request.
    /// Keyed by the text itself, so a changed row is simply a new entry; cleared when it holds `rememberedLimit` texts
    /// (~2 years of a province with 13 kabupaten/kota, a few MB).
    private static let remembered = NIOLockedValueBox<[String: [Int: Tally.Value]]>([:])
    static let rememberedLimit = 1_024

    static func unpackRemembered(_ text: String) -> [Int: Tally.Value] {
        if let known = remembered.withLockedValue({ $0[text] }) { return known }
        let bands = unpack(text)
        remembered.withLockedValue { cache in
            if cache.count >= rememberedLimit { cache.removeAll(keepingCapacity: true) }
            cache[text] = bands
        }
        return bands
    }

    // MARK: - Reading

    /// Summed counters: per jurisdiction (its totals), per unit, and the complaints received per month of submission.
    struct Read: Sendable {
        var jurisdictions: [String: TallySums] = [:]
        var units: [String: TallySums] = [:]
        var receivedByMonth: [Int: Int] = [:]

        mutating func add(_ other: Read, sign: Int = 1) {
            for (j, sums) in other.jurisdictions { jurisdictions[j, default: TallySums()].add(sums, sign: sign) }
            for (u, sums) in other.units { units[u, default: TallySums()].add(sums, sign: sign) }
            for (m, n) in other.receivedByMonth { receivedByMonth[m, default: 0] += sign * n }
        }
    }

    private struct Row: Decodable { var m: Int; var jurisdiction_code: String; var unit_id: String; var metric: String; var key: String; var n: Int; var total: Double }

    /// The month counters of `jurisdictions` for the months in [`fromMonth`, `toMonth`).
    static func read(on sql: any SQLDatabase, jurisdictions: [String], fromMonth: Int, toMonth: Int) async throws -> Read {
        var read = try await readRows(on: sql, table: table, jurisdictions: jurisdictions, bucket: "month",
                                      range: (fromMonth, toMonth), monthOf: { $0 })
        var durations = sql.select().columns("jurisdiction_code", "kind", "bands").from(durationsTable)
            .where("month", .greaterThanOrEqual, SQLBind(fromMonth)).where("month", .lessThan, SQLBind(toMonth))
        if !jurisdictions.isEmpty { durations = durations.where("jurisdiction_code", .in, SQLBind.group(jurisdictions)) }
        struct DurationRow: Decodable { var jurisdiction_code: String; var kind: String; var bands: String }
        for row in try await durations.all(decoding: DurationRow.self) {
            for (band, value) in unpackRemembered(row.bands) {
                read.jurisdictions[row.jurisdiction_code, default: TallySums()].addBand(row.kind, band, value)
            }
        }
        return read
    }

    /// The day counters for the days in [`fromDay`, `toDay`) (`yyyymmdd`).
    static func readDays(on sql: any SQLDatabase, jurisdictions: [String], fromDay: Int, toDay: Int) async throws -> Read {
        try await readRows(on: sql, table: dayTable, jurisdictions: jurisdictions, bucket: "day", range: (fromDay, toDay), monthOf: { $0 / 100 })
    }

    /// The changes made after the day `afterDay` (`yyyymmdd`) to the counters of the months in [`fromMonth`, `toMonth`).
    static func readChanges(on sql: any SQLDatabase, jurisdictions: [String], afterDay: Int, fromMonth: Int, toMonth: Int) async throws -> Read {
        try await readRows(on: sql, table: changeTable, jurisdictions: jurisdictions, bucket: "day", range: (afterDay + 1, 99_999_999),
                           months: (fromMonth, toMonth), monthOf: { $0 })
    }

    /// One pass over a table's range, summed by place; months are kept apart only for `received` (the trend chart).
    private static func readRows(on sql: any SQLDatabase, table: String, jurisdictions: [String], bucket: String, range: (Int, Int),
                                 months: (Int, Int)? = nil, monthOf: (Int) -> Int) async throws -> Read {
        let monthColumn = months == nil ? bucket : "month"
        let monthOfReceived = "CASE WHEN metric = 'received' AND unit_id = '' THEN \(monthColumn) ELSE 0 END"
        var query = sql.select()
            .column(SQLAlias(SQLRaw(monthOfReceived), as: SQLIdentifier("m")))
            .column("jurisdiction_code").column("unit_id").column("metric").column("key")
            // PostgreSQL sums BIGINT as NUMERIC: cast back.
            .column(SQLRaw("CAST(SUM(n) AS BIGINT) AS n"))
            .column(SQLRaw("SUM(total) AS total"))
            .from(table)
            .where(SQLIdentifier(bucket), .greaterThanOrEqual, SQLBind(range.0)).where(SQLIdentifier(bucket), .lessThan, SQLBind(range.1))
        if let months { query = query.where("month", .greaterThanOrEqual, SQLBind(months.0)).where("month", .lessThan, SQLBind(months.1)) }
        if !jurisdictions.isEmpty { query = query.where("jurisdiction_code", .in, SQLBind.group(jurisdictions)) }
        query = query.groupBy(SQLRaw(monthOfReceived)).groupBy("jurisdiction_code").groupBy("unit_id").groupBy("metric").groupBy("key")
        var read = Read()
        for row in try await query.all(decoding: Row.self) {
            guard let metric = Tally.Metric(rawValue: row.metric) else { continue }
            let value = Tally.Value(n: row.n, total: row.total)
            if row.unit_id.isEmpty {
                read.jurisdictions[row.jurisdiction_code, default: TallySums()].add(metric, row.key, value)
                if metric == .received { read.receivedByMonth[monthOf(row.m), default: 0] += row.n }
            } else {
                read.units[row.unit_id, default: TallySums()].add(metric, row.key, value)
            }
        }
        return read
    }

    // MARK: - Version, rebuild, check

    /// Recomputes the counters when they were written under another `Tally.version` (an upgrade, an interrupted bulk
    /// load): the application runs this when it starts, after the migrations, before it serves.
    static func ensureCurrent(_ app: Application) async throws {
        let db = app.writeDB
        if try await Setting.find(versionSetting, on: db)?.value == String(Tally.version) { return }
        let reference = try await ReferenceData.load(on: db)
        let started = Date()
        let result = try await rebuild(on: db, reference: reference)
        app.logger.notice("monev counters recomputed for version \(Tally.version): \(result.complaints) complaints, \(result.events) events, \(result.stages) ended stages in \(Int(Date().timeIntervalSince(started))) s")
    }

    /// Marks the stored counters out of date (a bulk load that writes them itself sets them back at its end).
    static func setVersion(_ version: Int?, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.delete(from: Setting.schema).where("key", .equal, SQLBind(versionSetting)).run()
        if let version {
            try await sql.insert(into: Setting.schema).columns("key", "value", "updated_at")
                .values(SQLBind(versionSetting), SQLBind(String(version)), SQLBind(Date())).run()
        }
    }

    /// Recomputes every counter from the complaints, their events and their stages and replaces what is stored, in
    /// one transaction (readers see the old counters or the new ones). Ended stages without their frozen working
    /// days (rows from before they were kept) get them, measured on today's calendar.
    @discardableResult
    static func rebuild(on db: any Database, reference: ReferenceData) async throws -> (complaints: Int, events: Int, stages: Int) {
        try await withRetriedTransaction(db) { tx in
            guard let sql = tx as? any SQLDatabase else { throw AppError(status: .internalServerError, code: "internal", message: "SQL database required") }
            if sql.dialect.name == "postgresql" {
                // Writers wait for the new counters rather than add to rows being replaced.
                try await sql.raw("LOCK TABLE monev_tally, monev_tally_day, monev_changes, monev_durations IN EXCLUSIVE MODE").run()
            }
            try await fillWorkingDays(on: sql, reference: reference)
            for t in [table, dayTable, changeTable, durationsTable] { try await sql.delete(from: t).run() }
            var result = (complaints: 0, events: 0, stages: 0)
            try await compute(on: sql, reference: reference) { deltas, complaints, events, stages in
                try await write(deltas, on: sql)
                result.complaints += complaints; result.events += events; result.stages += stages
            }
            try await setVersion(Tally.version, on: tx)
            return result
        }
    }

    /// Freezes the working days of ended stages that lack them (written before they were kept).
    private static func fillWorkingDays(on sql: any SQLDatabase, reference: ReferenceData) async throws {
        struct Row: Decodable { var id: Int; var jurisdiction_code: String; var started_at: Date; var ended_at: Date }
        while true {
            let rows = try await sql.select().columns("id", "jurisdiction_code", "started_at", "ended_at").from("stages")
                .where("ended_at", .isNot, SQLLiteral.null).where("working_days", .is, SQLLiteral.null).limit(5_000)
                .all(decoding: Row.self)
            if rows.isEmpty { return }
            for row in rows {
                let days = reference.calendar(for: row.jurisdiction_code).elapsedWorkingDays(from: row.started_at, to: row.ended_at)
                try await sql.update("stages").set("working_days", to: SQLBind(days)).where("id", .equal, SQLBind(row.id)).run()
            }
        }
    }

    /// Every counter, from the rows: each complaint's events replayed (`AsOf.history`) give its counters after each
    /// event, so the changes land on the day they happened; the last ones are the complaint's row as it is. Handed
    /// to `flush` every few thousand complaints, so memory grows with the counters of a batch, not with the data.
    static func compute(on sql: any SQLDatabase, reference: ReferenceData,
                        flush: (Deltas, Int, Int, Int) async throws -> Void) async throws {
        var deltas = Deltas()
        var pending = (complaints: 0, events: 0, stages: 0)
        var lastID = 0
        while true {
            let rows = try await MonevQuery.complaintPage(after: lastID, limit: 2_000, on: sql)
            guard let first = rows.first, let last = rows.last else { break }
            let steps = try await MonevQuery.steps(ofComplaintsIn: first.id...last.id, on: sql)
            for row in rows {
                guard let now = row.facts else { continue }
                let history = AsOf.history(now, steps: steps[row.id] ?? [])
                var before: ComplaintFacts?
                for (index, step) in (steps[row.id] ?? []).enumerated() {
                    // The last state is the row's (they agree; if an old event lacks a detail, the row wins).
                    let after = index == history.count - 1 ? now : history[index]
                    if let before, before == after { continue }
                    if let before { deltas.add(before, at: step.at, reference: reference, negate: true) }
                    deltas.add(after, at: step.at, reference: reference)
                    before = after
                }
                if steps[row.id]?.isEmpty ?? true { deltas.add(now, at: now.submittedAt, reference: reference) }
                pending.events += steps[row.id]?.count ?? 0
            }
            var submitted: [Int: Date] = [:]
            for row in rows { submitted[row.id] = row.submitted_at }
            for stage in try await MonevQuery.endedStages(ofComplaintsIn: first.id...last.id, on: sql) {
                guard let at = submitted[stage.complaintID] else { continue }
                deltas.add(ended: stage.facts, submittedAt: at, reference: reference)
                pending.stages += 1
            }
            pending.complaints += rows.count
            lastID = last.id
            if pending.complaints >= 20_000 {
                try await flush(deltas, pending.complaints, pending.events, pending.stages)
                deltas = Deltas(); pending = (0, 0, 0)
            }
        }
        try await flush(deltas, pending.complaints, pending.events, pending.stages)
    }
}
