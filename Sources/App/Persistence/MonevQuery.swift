import AduanCore
import Fluent
import Foundation
import SQLKit

/// Reads the monev figures (SPEC §8) for the public transparency pages, the inspector's dashboard, its reports and
/// the API, so their figures cannot drift apart. Two ways, one set of formulas (`Tally`, `MetricEngine`):
/// - whole months of a jurisdiction scope as of now read the stored counters (`MonevTally`) and count only the
///   open stages past their due live — a few thousand rows whatever the number of complaints (SPEC §11);
/// - a unit, a period that cuts a month, or a date in the past (`as_of`) read the complaint and stage rows of the
///   scope and period (`facts`) and count in memory.
enum MonevQuery {
    /// The figures of one scope and period.
    struct Figures: Sendable {
        var summary: MetricSummary
        /// Every unit with figures in the scope, and those asked for by `including` (quiet ones "—"), by unit id.
        var units: [UnitMetrics]
        /// Each jurisdiction of the scope on its own (the ranking of kabupaten/kota), without medians (the ranking
        /// does not read them; `withoutMedians`).
        var jurisdictions: [String: MetricSummary]
        /// Complaints received per month (`yyyymm`), the trend chart.
        var receivedByMonth: [Int: Int]
        /// The open stages past due, most overdue first, at most `overdueLimit` of them.
        var overdue: [OverdueStage]
        var overdueCount: Int
        /// Complaints of the period not hidden from the public.
        var publicCount: Int
        /// Whether the stored counters answered (false: counted from the rows).
        var stored: Bool
    }

    /// - `jurisdictions`: the scope (a complaint by the jurisdiction whose coordinator holds it, a stage by its own);
    ///   `unit` narrows it to one unit; `from`/`to` bound `submitted_at`; `asOf` is the instant the figures are
    ///   evaluated at when it is in the past (the last millisecond of a day: `asOfInstant(of:in:)`), rebuilt from the
    ///   counters and the changes after it, or from the events.
    /// - `including`: units to list even without figures.
    /// - `fromRows`: count from the rows even where the stored counters could answer (the tests compare the two).
    static func figures(on db: any Database, reference: ReferenceData, jurisdictions codes: [String], unit: String? = nil,
                        from: Date?, to: Date?, now: Date, asOf: Date? = nil, weights: ComplianceWeights,
                        including: [String] = [], overdueLimit: Int = 100, fromRows: Bool = false) async throws -> Figures {
        guard let sql = db as? any SQLDatabase else {
            throw AppError(status: .internalServerError, code: "internal", message: "monev needs an SQL database")
        }
        if !fromRows, unit == nil, !codes.isEmpty, let plan = Plan(from: from, to: to, asOf: asOf, jurisdictions: codes, reference: reference) {
            return try await stored(sql, reference: reference, jurisdictions: codes, plan: plan, from: from, to: to, now: asOf ?? now,
                                    weights: weights, including: including, overdueLimit: overdueLimit)
        }
        let instant = asOf ?? now
        let scope = Set(codes.isEmpty ? Array(reference.tree.jurisdictions.keys) : codes)
        let (complaints, stages) = try await facts(on: db, jurisdictions: codes, unit: unit, from: from, to: to, asOf: asOf)
        let lookup = reference.calendar(for:)
        var byJurisdiction: [String: MetricSummary] = [:]
        if codes.count > 1 {
            for code in codes {
                byJurisdiction[code] = withoutMedians(MetricEngine.summary(complaints: complaints.filter { $0.jurisdiction == code },
                                                                           stages: stages.filter { $0.jurisdiction == code }, now: instant,
                                                                           scope: [code], calendar: lookup))
            }
        }
        var received: [Int: Int] = [:]
        for c in complaints { received[MonevTally.month(of: c.submittedAt, in: lookup(c.jurisdiction)), default: 0] += 1 }
        let overdue = MetricEngine.overdue(stages: stages, now: instant, calendar: lookup)
        return Figures(summary: MetricEngine.summary(complaints: complaints, stages: stages, now: instant, scope: scope, calendar: lookup),
                       units: MetricEngine.units(complaints: complaints, stages: stages, now: instant, calendar: lookup, weights: weights,
                                                 including: including),
                       jurisdictions: byJurisdiction, receivedByMonth: received, overdue: Array(overdue.prefix(overdueLimit)),
                       overdueCount: overdue.count, publicCount: complaints.filter { !$0.confidential }.count, stored: false)
    }

    /// A summary of one jurisdiction of a wider scope: its medians are not read (each would cost its own queries).
    static func withoutMedians(_ summary: MetricSummary) -> MetricSummary {
        var s = summary
        for kind in StageKind.allCases { s[median: kind] = nil }
        s.medianPrecisionDays = 0
        return s
    }

    /// The instant "as of" a day means: its last millisecond in `calendar`, after everything that happened that day
    /// (a stage due that day and still open is past its due).
    static func asOfInstant(of day: LocalDate, in calendar: WorkingCalendar) -> Date {
        calendar.startOfDay(day.adding(days: 1)).addingTimeInterval(-0.001)
    }

    /// How the stored counters answer a period: whole months of `monev_tally`, the edge days of `monev_tally_day`,
    /// and — as of a past day — minus the changes after that day (`monev_changes`). Nil when they cannot: the scope's
    /// jurisdictions keep different time zones, a bound is not the start of a day, or a past day is asked with a
    /// period that cuts months (the rows answer those).
    struct Plan {
        /// [from, to) as `yyyymm`.
        var months: (from: Int, to: Int)?
        /// [from, to) as `yyyymmdd`.
        var edges: [(from: Int, to: Int)]
        /// The day (`yyyymmdd`) the figures are as of, when in the past.
        var asOfDay: Int?

        init?(from: Date?, to: Date?, asOf: Date?, jurisdictions codes: [String], reference: ReferenceData) {
            let calendar = reference.calendar(for: codes[0])
            guard codes.allSatisfy({ reference.calendar(for: $0).timeZone.identifier == calendar.timeZone.identifier }) else { return nil }
            func startDay(_ date: Date?) -> LocalDate?? {
                guard let date else { return .some(nil) }
                let day = calendar.localDate(of: date)
                return calendar.startOfDay(day) == date ? .some(day) : nil
            }
            guard let first = startDay(from), let next = startDay(to) else { return nil }
            func monthKey(_ d: LocalDate) -> Int { d.year * 100 + d.month }
            func firstOfNextMonth(_ d: LocalDate) -> LocalDate {
                d.month == 12 ? LocalDate(year: d.year + 1, month: 1, day: 1)! : LocalDate(year: d.year, month: d.month + 1, day: 1)!
            }
            var fromMonth = 0, toMonth = 999_999
            edges = []
            if let first {
                fromMonth = first.day == 1 ? monthKey(first) : monthKey(firstOfNextMonth(first))
            }
            if let next {
                toMonth = monthKey(next)
            }
            if let first, let next, fromMonth >= toMonth {
                // No whole month inside: every day from the day counters.
                edges = [(MonevTally.dayKey(first), MonevTally.dayKey(next))]
                months = nil
            } else {
                months = (fromMonth, toMonth)
                if let first, first.day != 1 {
                    edges.append((MonevTally.dayKey(first), MonevTally.dayKey(firstOfNextMonth(first))))
                }
                if let next, next.day != 1 {
                    edges.append((MonevTally.dayKey(LocalDate(year: next.year, month: next.month, day: 1)!), MonevTally.dayKey(next)))
                }
            }
            if let asOf {
                let end = asOf.addingTimeInterval(0.001)
                let day = calendar.localDate(of: end)
                guard edges.isEmpty, abs(calendar.startOfDay(day).timeIntervalSince(end)) < 0.0005 else { return nil }
                let asOfDay = day.adding(days: -1)
                self.asOfDay = MonevTally.dayKey(asOfDay)
                // Nothing submitted after the day counts.
                if let m = months { months = (m.from, min(m.to, monthKey(asOfDay) + 1)) }
            }
        }
    }

    /// The stored counters of the plan plus the open stages past their due at `now` (the instant of evaluation).
    private static func stored(_ sql: any SQLDatabase, reference: ReferenceData, jurisdictions codes: [String], plan: Plan,
                               from: Date?, to: Date?, now: Date, weights: ComplianceWeights, including: [String],
                               overdueLimit: Int) async throws -> Figures {
        var read = MonevTally.Read()
        if let months = plan.months, months.from < months.to {
            read.add(try await MonevTally.read(on: sql, jurisdictions: codes, fromMonth: months.from, toMonth: months.to))
            if let day = plan.asOfDay {
                read.add(try await MonevTally.readChanges(on: sql, jurisdictions: codes, afterDay: day, fromMonth: months.from,
                                                          toMonth: months.to), sign: -1)
            }
        }
        for edge in plan.edges {
            read.add(try await MonevTally.readDays(on: sql, jurisdictions: codes, fromDay: edge.from, toDay: edge.to))
        }
        let asOf = plan.asOfDay == nil ? nil : now
        let open = try await overdueCounts(sql, codes: codes, from: from, to: to, at: now, asOf: asOf)
        var byJurisdiction: [String: [StageKind: Int]] = [:]
        var unitOverdue: [String: (response: Int, all: Int)] = [:]
        var overdueCount = 0
        for c in open {
            byJurisdiction[c.jurisdiction, default: [:]][c.kind, default: 0] += c.n
            overdueCount += c.n
            if let unit = c.unit {
                var u = unitOverdue[unit] ?? (0, 0)
                u.all += c.n
                if c.kind == .response { u.response += c.n }
                unitOverdue[unit] = u
            }
        }
        let list = overdueLimit == 0 ? [] : try await overdueList(sql, reference: reference, codes: codes, from: from, to: to, at: now,
                                                                   asOf: asOf, limit: overdueLimit)

        var total = TallySums()
        var summaries: [String: MetricSummary] = [:]
        for code in codes {
            let sums = read.jurisdictions[code] ?? TallySums()
            total.add(sums)
            if codes.count > 1 { summaries[code] = withoutMedians(MetricEngine.summary(sums, overdue: byJurisdiction[code] ?? [:], scope: [code])) }
        }
        var overdueByKind: [StageKind: Int] = [:]
        for kinds in byJurisdiction.values { overdueByKind.merge(kinds, uniquingKeysWith: +) }
        let unitIDs = Set(read.units.keys).union(unitOverdue.keys).union(including)
        let units = unitIDs.sorted().map { id in
            MetricEngine.unit(id, read.units[id] ?? TallySums(), responseOverdue: unitOverdue[id]?.response ?? 0,
                              overdueNow: unitOverdue[id]?.all ?? 0, weights: weights)
        }
        var summary = MetricEngine.summary(total, overdue: overdueByKind, scope: Set(codes))
        try await exactMedians(&summary, total, sql, codes: codes, from: from, to: to, endedBy: asOf)
        return Figures(summary: summary, units: units, jurisdictions: summaries, receivedByMonth: read.receivedByMonth.filter { $0.value != 0 },
                       overdue: list, overdueCount: overdueCount, publicCount: summary.received - total.count(.confidential), stored: true)
    }

    /// Replaces the medians the counters only located (`MetricEngine.summary(_:overdue:scope:)`) with the exact ones,
    /// read from the ended stages of the scope and period in the band(s) holding the middle (`stages_ended_days`).
    private static func exactMedians(_ summary: inout MetricSummary, _ sums: TallySums, _ sql: any SQLDatabase, codes: [String],
                                     from: Date?, to: Date?, endedBy: Date?) async throws {
        var precision = 0.0
        for kind in StageKind.allCases {
            guard let location = sums.medianLocation(kind) else { continue }
            let query = sql.select().column("working_days").from("stages")
                .where("kind", .equal, SQLBind(kind.rawValue)).where("ended_at", .isNot, SQLLiteral.null)
                .where("working_days", .greaterThanOrEqual, SQLBind(location.from)).where("working_days", .lessThan, SQLBind(location.to))
                .where("jurisdiction_code", .in, SQLBind.group(codes))
            if let from { query.where("submitted_at", .greaterThanOrEqual, SQLBind(from)) }
            if let to { query.where("submitted_at", .lessThan, SQLBind(to)) }
            if let endedBy { query.where("ended_at", .lessThanOrEqual, SQLBind(endedBy)) }
            let values = try await query.orderBy("working_days").limit(location.middle).offset(location.offset)
                .all(decodingColumn: "working_days", as: Double.self)
            if let median = location.median(values) {
                summary[median: kind] = median
            } else {
                // The counters and the rows disagree (`aduan monev check` says where): keep the band's mean and say so.
                precision = max(precision, location.precision)
            }
        }
        summary.medianPrecisionDays = precision
    }

    /// The open stages past their due at `at`, of complaints submitted in [`from`, `to`), per kind, jurisdiction and
    /// unit. Now (`asOf` nil): the `stages_open_overdue` index alone. As of a past instant: the stages open then —
    /// still open, or ended since — measured against the due they had then (a later extension or supervision moved
    /// it: `stage_reschedules`).
    struct OverdueCount { var kind: StageKind; var jurisdiction: String; var unit: String?; var n: Int }

    private static func overdueCounts(_ sql: any SQLDatabase, codes: [String], from: Date?, to: Date?, at: Date,
                                      asOf: Date?) async throws -> [OverdueCount] {
        struct Count: Decodable { var kind: String; var jurisdiction_code: String; var unit_id: String?; var n: Int }
        func grouped(_ query: SQLSelectBuilder) async throws -> [OverdueCount] {
            try await query.column(SQLColumn("kind", table: "stages")).column(SQLColumn("jurisdiction_code", table: "stages"))
                .column(SQLColumn("unit_id", table: "stages")).column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
                // The order of `stages_open_by_place`: the groups come off the index without a sort.
                .groupBy(SQLColumn("jurisdiction_code", table: "stages")).groupBy(SQLColumn("kind", table: "stages"))
                .groupBy(SQLColumn("unit_id", table: "stages"))
                .all(decoding: Count.self)
                .compactMap { c in StageKind(rawValue: c.kind).map { OverdueCount(kind: $0, jurisdiction: c.jurisdiction_code, unit: c.unit_id, n: c.n) } }
        }
        var counts = try await grouped(openOverdue(sql, codes: codes, from: from, to: to, now: at))
        guard let asOf else { return counts }
        counts += try await grouped(endedSince(sql, codes: codes, from: from, to: to, at: asOf))
        for stage in try await rescheduledSince(sql, codes: codes, from: from, to: to, at: asOf) {
            // Counted above by the due it has now; the due it had then decides.
            let counted = stage.finalDue < asOf, then = stage.dueThen < asOf
            if counted != then { counts.append(OverdueCount(kind: stage.kind, jurisdiction: stage.jurisdiction, unit: stage.unit, n: then ? 1 : -1)) }
        }
        return counts
    }

    /// The stages of the scope and period that were open at `at` and have ended since, with their due (now) before it.
    private static func endedSince(_ sql: any SQLDatabase, codes: [String], from: Date?, to: Date?, at: Date) -> SQLSelectBuilder {
        let query = sql.select().from("stages")
            .where(SQLColumn("ended_at", table: "stages"), .isNot, SQLLiteral.null)
            .where(SQLColumn("ended_at", table: "stages"), .greaterThan, SQLBind(at))
            .where(SQLColumn("due_at", table: "stages"), .lessThan, SQLBind(at))
        if let from { query.where(SQLColumn("submitted_at", table: "stages"), .greaterThanOrEqual, SQLBind(from)) }
        if let to { query.where(SQLColumn("submitted_at", table: "stages"), .lessThan, SQLBind(to)) }
        if !codes.isEmpty { query.where(SQLColumn("jurisdiction_code", table: "stages"), .in, SQLBind.group(codes)) }
        return query
    }

    struct Rescheduled { var id: Int; var kind: StageKind; var jurisdiction: String; var unit: String?; var finalDue: Date; var dueThen: Date }

    /// Stages open at `at` whose due was moved after it, with the due they had at `at`.
    private static func rescheduledSince(_ sql: any SQLDatabase, codes: [String], from: Date?, to: Date?, at: Date) async throws -> [Rescheduled] {
        struct Row: Decodable { var id: Int; var kind: String; var jurisdiction_code: String; var unit_id: String?; var due_at: Date
                                var started_at: Date; var ended_at: Date?; var moved_at: Date; var previous_due_at: Date }
        let query = sql.select()
            .column(SQLColumn("id", table: "stages")).column(SQLColumn("kind", table: "stages"))
            .column(SQLColumn("jurisdiction_code", table: "stages")).column(SQLColumn("unit_id", table: "stages"))
            .column(SQLColumn("due_at", table: "stages")).column(SQLColumn("started_at", table: "stages"))
            .column(SQLColumn("ended_at", table: "stages"))
            .column(SQLAlias(SQLColumn("at", table: "stage_reschedules"), as: SQLIdentifier("moved_at")))
            .column(SQLColumn("previous_due_at", table: "stage_reschedules"))
            .from("stage_reschedules")
            .join("stages", on: SQLColumn("stage_id", table: "stage_reschedules"), .equal, SQLColumn("id", table: "stages"))
            .where(SQLColumn("at", table: "stage_reschedules"), .greaterThan, SQLBind(at))
            .where(SQLColumn("started_at", table: "stages"), .lessThanOrEqual, SQLBind(at))
        if let from { query.where(SQLColumn("submitted_at", table: "stages"), .greaterThanOrEqual, SQLBind(from)) }
        if let to { query.where(SQLColumn("submitted_at", table: "stages"), .lessThan, SQLBind(to)) }
        if !codes.isEmpty { query.where(SQLColumn("jurisdiction_code", table: "stages"), .in, SQLBind.group(codes)) }
        var earliest: [Int: Row] = [:]
        for row in try await query.all(decoding: Row.self) {
            if let ended = row.ended_at, ended <= at { continue }
            if let known = earliest[row.id], known.moved_at <= row.moved_at { continue }
            earliest[row.id] = row
        }
        return earliest.values.compactMap { row in
            StageKind(rawValue: row.kind).map { Rescheduled(id: row.id, kind: $0, jurisdiction: row.jurisdiction_code, unit: row.unit_id,
                                                             finalDue: row.due_at, dueThen: row.previous_due_at) }
        }
    }

    /// The most overdue of the stages past their due at `at` (as of a past instant: open then), at most `limit`.
    private static func overdueList(_ sql: any SQLDatabase, reference: ReferenceData, codes: [String], from: Date?, to: Date?, at: Date,
                                    asOf: Date?, limit: Int) async throws -> [OverdueStage] {
        func rows(_ query: SQLSelectBuilder, limit: Int?) async throws -> [(id: Int, stage: StageFacts)] {
            var q = query
                .join("complaints", on: SQLColumn("complaint_id", table: "stages"), .equal, SQLColumn("id", table: "complaints"))
                .columns(stageColumns).column(SQLAlias(SQLColumn("id", table: "stages"), as: SQLIdentifier("stage_id")))
                .orderBy(SQLColumn("due_at", table: "stages")).orderBy(SQLColumn("tracking_id", table: "complaints"))
            if let limit { q = q.limit(limit) }
            return try await q.all(decoding: StageRow.self).compactMap { row in row.facts.map { (row.stage_id ?? 0, $0) } }
        }
        var stages = try await rows(openOverdue(sql, codes: codes, from: from, to: to, now: at, mostOverdueFirst: true), limit: limit)
        if let asOf {
            stages += try await rows(endedSince(sql, codes: codes, from: from, to: to, at: asOf), limit: limit)
            // Stages whose due was moved after the instant: the due they had then decides.
            let moved = try await rescheduledSince(sql, codes: codes, from: from, to: to, at: asOf)
            if !moved.isEmpty {
                let then = Dictionary(moved.map { ($0.id, $0.dueThen) }, uniquingKeysWith: { a, _ in a })
                let listed = Set(stages.map(\.id))
                let missing = moved.filter { !listed.contains($0.id) && $0.dueThen < asOf }.map(\.id)
                if !missing.isEmpty {
                    stages += try await rows(sql.select().from("stages").where(SQLColumn("id", table: "stages"), .in, SQLBind.group(missing)),
                                             limit: nil)
                }
                stages = stages.compactMap { entry in
                    guard let due = then[entry.id] else { return entry }
                    var s = entry.stage
                    s.dueAt = due
                    return due < asOf ? (entry.id, s) : nil
                }
            }
            stages = stages.map { entry in
                var s = entry.stage
                s.endedAt = nil; s.late = nil; s.workingDays = nil
                return (entry.id, s)
            }
        }
        let now = asOf ?? at
        return Array(stages.map(\.stage).sorted { ($0.dueAt, $0.complaintTrackingID) < ($1.dueAt, $1.complaintTrackingID) }.prefix(limit))
            .map { OverdueStage(stage: $0, ageDays: reference.calendar(for: $0.jurisdiction).elapsedWorkingDays(from: $0.dueAt, to: now)) }
    }

    /// Open stages of the scope past their due at `now`, of complaints submitted in [`from`, `to`): the query
    /// without its columns, answered by an index of the open stages alone (with their complaint's submission time):
    /// `stages_open_by_place` for counts per place, `stages_open_overdue` (by due) when `mostOverdueFirst` lists the
    /// first few. SQLite, which keeps no statistics here, is told which: it would otherwise take the scope's equality
    /// for selective, read every open stage of the province through `stages_open_by_place` and sort them (~0.7 s at
    /// 1,000,000 complaints instead of ~10 ms). PostgreSQL's planner chooses right from its statistics.
    private static func openOverdue(_ sql: any SQLDatabase, codes: [String], from: Date?, to: Date?, now: Date,
                                    mostOverdueFirst: Bool = false) -> SQLSelectBuilder {
        let table: any SQLExpression = mostOverdueFirst && sql.dialect.name == "sqlite"
            ? SQLRaw("stages INDEXED BY stages_open_overdue") : SQLIdentifier("stages")
        let query = sql.select().from(table)
            .where(SQLColumn("ended_at", table: "stages"), .is, SQLLiteral.null)
            .where(SQLColumn("due_at", table: "stages"), .lessThan, SQLBind(now))
        if let from { query.where(SQLColumn("submitted_at", table: "stages"), .greaterThanOrEqual, SQLBind(from)) }
        if let to { query.where(SQLColumn("submitted_at", table: "stages"), .lessThan, SQLBind(to)) }
        if !codes.isEmpty { query.where(SQLColumn("jurisdiction_code", table: "stages"), .in, SQLBind.group(codes)) }
        return query
    }

    private static let stageColumns: [any SQLExpression] = [
        SQLColumn("tracking_id", table: "complaints"), SQLColumn("kind", table: "stages"), SQLColumn("jurisdiction_code", table: "stages"),
        SQLColumn("unit_id", table: "stages"), SQLColumn("started_at", table: "stages"), SQLColumn("due_at", table: "stages"),
        SQLColumn("ended_at", table: "stages"), SQLColumn("late", table: "stages"), SQLColumn("working_days", table: "stages"),
    ]

    /// The facts of complaints submitted in [`from`, `to`) within the scope, and the stages of those complaints
    /// that belong to the scope.
    ///
    /// - `jurisdictions`: nil or empty for every jurisdiction. A complaint is in scope by the jurisdiction whose
    ///   coordinator holds it now; a stage by its own jurisdiction, so a complaint forwarded from 63 to 63.71
    ///   counts in 63.71 while its first verification stage stays with 63, whose coordinator ran it.
    /// - `unit`: when given, only complaints whose latest disposition the unit holds, and only the unit's stages
    ///   (a unit keeps the response stage of a complaint it handed back or that was redispositioned elsewhere).
    /// - `from`, `to`: bounds on `submitted_at`, either may be nil.
    ///
    /// Confidential complaints are included: the figures are aggregates and must match the monev definitions.
    /// Only the columns the engine reads are selected.
    /// - `asOf`: the figures as they stood at that instant, rebuilt from the event log (`AsOf`): complaints
    ///   submitted by then, each in the state, unit and jurisdiction it had; stages started by then, open if they
    ///   ended later, measured against the due they had then. The scope is the jurisdiction (and unit) a complaint
    ///   had at the instant.
    static func facts(on db: any Database, jurisdictions: [String]?, unit: String?, from: Date?, to: Date?,
                      asOf: Date? = nil) async throws -> ([ComplaintFacts], [StageFacts]) {
        guard let sql = db as? any SQLDatabase else {
            throw AppError(status: .internalServerError, code: "internal", message: "monev needs an SQL database")
        }
        let codes = (jurisdictions ?? []).sorted()
        let to = asOf.map { instant in to.map { min($0, instant.addingTimeInterval(0.001)) } ?? instant.addingTimeInterval(0.001) } ?? to

        let complaints = sql.select().columns(complaintColumns).from("complaints")
        // As of an instant the scope is the jurisdiction a complaint had then, decided after the replay.
        restrict(complaints, table: "complaints", jurisdictions: asOf == nil ? codes : [], unit: asOf == nil ? unit : nil, from: from, to: to)

        let stages = sql.select().columns(stageColumns).column(SQLAlias(SQLColumn("id", table: "stages"), as: SQLIdentifier("stage_id")))
            .from("stages")
            .join("complaints", on: SQLColumn("complaint_id", table: "stages"), .equal, SQLColumn("id", table: "complaints"))
        // The period is the complaint's; the scope is the stage's own.
        restrict(stages, table: "stages", jurisdictions: codes, unit: unit, from: from, to: to)

        let complaintRows = try await complaints.all(decoding: ComplaintRow.self)
        let stageRows = try await stages.all(decoding: StageRow.self)
        guard let asOf else { return (complaintRows.compactMap(\.facts), stageRows.compactMap(\.facts)) }

        // As of an instant: replay each complaint's events up to it.
        let events = sql.select()
            .column(SQLAlias(SQLColumn("complaint_id", table: "events"), as: SQLIdentifier("complaint_id")))
            .column(SQLColumn("at", table: "events"))
            .column(SQLColumn("action", table: "events")).column(SQLColumn("to_state", table: "events"))
            .column(SQLColumn("jurisdiction_code", table: "events")).column(SQLColumn("data", table: "events"))
            .from("events")
            .join("complaints", on: SQLColumn("complaint_id", table: "events"), .equal, SQLColumn("id", table: "complaints"))
            .where(SQLColumn("at", table: "events"), .lessThanOrEqual, SQLBind(asOf))
            .orderBy(SQLColumn("complaint_id", table: "events")).orderBy(SQLColumn("seq", table: "events"))
        restrict(events, table: "complaints", jurisdictions: [], unit: nil, from: from, to: to)
        let steps = try await self.steps(events)
        let then = complaintRows.compactMap { row in row.facts.flatMap { AsOf.complaint($0, steps: steps[row.id] ?? []) } }
            .filter { codes.isEmpty || codes.contains($0.jurisdiction) }
            .filter { unit == nil || $0.unit == unit }
        // The due a stage had at the instant, when an extension or supervision moved it later.
        struct Moved: Decodable { var stage_id: Int; var at: Date; var previous_due_at: Date }
        var dueThen: [Int: (at: Date, due: Date)] = [:]
        for m in try await sql.select().columns("stage_id", "at", "previous_due_at").from("stage_reschedules")
            .where("at", .greaterThan, SQLBind(asOf)).all(decoding: Moved.self) where dueThen[m.stage_id].map({ m.at < $0.at }) ?? true {
            dueThen[m.stage_id] = (m.at, m.previous_due_at)
        }
        return (then, stageRows.compactMap { row in row.facts.flatMap { AsOf.stage($0, at: asOf, dueAt: row.stage_id.flatMap { dueThen[$0]?.due }) } })
    }

    /// Each complaint's events as replay steps, by complaint id, in order.
    private static func steps(_ query: SQLSelectBuilder) async throws -> [Int: [AsOf.Step]] {
        struct EventRow: Decodable { var complaint_id: Int; var at: Date; var action: String; var to_state: String; var jurisdiction_code: String; var data: String }
        var steps: [Int: [AsOf.Step]] = [:]
        let decoder = JSONDecoder()
        for row in try await query.all(decoding: EventRow.self) {
            guard let action = Action(rawValue: row.action), let state = ComplaintState(rawValue: row.to_state) else { continue }
            let data = row.data == "{}" ? [:] : (try? decoder.decode([String: String].self, from: Data(row.data.utf8))) ?? [:]
            steps[row.complaint_id, default: []].append(AsOf.Step(action: action, toState: state, jurisdiction: row.jurisdiction_code, at: row.at, data: data))
        }
        return steps
    }

    /// The events of the complaints whose id is in `ids`, as replay steps (the rebuild of the stored counters).
    static func steps(ofComplaintsIn ids: ClosedRange<Int>, on sql: any SQLDatabase) async throws -> [Int: [AsOf.Step]] {
        try await steps(sql.select().columns("complaint_id", "at", "action", "to_state", "jurisdiction_code", "data").from("events")
            .where("complaint_id", .greaterThanOrEqual, SQLBind(ids.lowerBound)).where("complaint_id", .lessThanOrEqual, SQLBind(ids.upperBound))
            .orderBy("complaint_id").orderBy("seq"))
    }

    /// The compliance-score weights (SPEC §8: a setting), from the `compliance_weights` setting when an
    /// administrator stored one (`{"response": 0.4, "completion": 0.4, "satisfaction": 0.2}`), else the defaults.
    static func weights(on db: any Database) async throws -> ComplianceWeights {
        guard let text = try await Setting.find(weightsSetting, on: db)?.value,
              let weights = try? JSONDecoder().decode(ComplianceWeights.self, from: Data(text.utf8)) else { return .standard }
        return weights
    }

    /// The settings key of the compliance-score weights.
    static let weightsSetting = "compliance_weights"

    // MARK: - Private

    /// Adds the period (on `complaints.submitted_at`) and the scope (on `table`'s jurisdiction and unit columns).
    private static func restrict(_ query: SQLSelectBuilder, table: String, jurisdictions: [String], unit: String?,
                                 from: Date?, to: Date?) {
        if let from { query.where(SQLColumn("submitted_at", table: "complaints"), .greaterThanOrEqual, SQLBind(from)) }
        if let to { query.where(SQLColumn("submitted_at", table: "complaints"), .lessThan, SQLBind(to)) }
        if !jurisdictions.isEmpty {
            query.where(SQLColumn("jurisdiction_code", table: table), .in, SQLBind.group(jurisdictions))
        }
        if let unit {
            query.where(SQLColumn("unit_id", table: table), .equal, SQLBind(unit))
            // A unit's complaints are those it holds by a disposition (not a LAPOR import finished there).
            if table == "complaints" { query.where(SQLColumn("disposition_count", table: table), .greaterThan, SQLBind(0)) }
        }
    }

    /// The columns of `ComplaintRow`.
    static let complaintColumns = ["id", "tracking_id", "submitted_at", "type", "channel", "category_code", "state", "jurisdiction_code",
                                           "unit_id", "disposition_count", "disposition_jurisdictions", "reopen_count", "rating", "archive_reason",
                                           "confidential"]

    /// Complaints with an id above `after`, in id order (the rebuild of the stored counters).
    static func complaintPage(after: Int, limit: Int, on sql: any SQLDatabase) async throws -> [ComplaintRow] {
        try await sql.select().columns(complaintColumns).from("complaints").where("id", .greaterThan, SQLBind(after))
            .orderBy("id").limit(limit).all(decoding: ComplaintRow.self)
    }

    struct EndedStage { var complaintID: Int; var facts: StageFacts }

    /// The ended stages of the complaints whose id is in `ids`.
    static func endedStages(ofComplaintsIn ids: ClosedRange<Int>, on sql: any SQLDatabase) async throws -> [EndedStage] {
        struct Row: Decodable { var complaint_id: Int; var kind: String; var jurisdiction_code: String; var unit_id: String?; var started_at: Date
                                var due_at: Date; var ended_at: Date; var late: Bool?; var working_days: Double? }
        return try await sql.select()
            .columns("complaint_id", "kind", "jurisdiction_code", "unit_id", "started_at", "due_at", "ended_at", "late", "working_days")
            .from("stages")
            .where("complaint_id", .greaterThanOrEqual, SQLBind(ids.lowerBound)).where("complaint_id", .lessThanOrEqual, SQLBind(ids.upperBound))
            .where("ended_at", .isNot, SQLLiteral.null)
            .all(decoding: Row.self)
            .compactMap { row in
                guard let kind = StageKind(rawValue: row.kind) else { return nil }
                return EndedStage(complaintID: row.complaint_id, facts: StageFacts(
                    complaintTrackingID: "", kind: kind, jurisdiction: row.jurisdiction_code, unit: row.unit_id, startedAt: row.started_at,
                    dueAt: row.due_at, endedAt: row.ended_at, late: row.late, workingDays: row.working_days))
            }
    }

    struct ComplaintRow: Decodable {
        var id: Int
        var tracking_id: String
        var submitted_at: Date
        var type: String
        var channel: String
        var category_code: String?
        var state: String
        var jurisdiction_code: String
        var unit_id: String?
        var disposition_count: Int
        var disposition_jurisdictions: String
        var reopen_count: Int
        var rating: Int?
        var archive_reason: String?
        var confidential: Bool

        /// Nil for a row whose stored codes this version does not know (never expected; skipped, not fatal).
        var facts: ComplaintFacts? {
            guard let state = ComplaintState(rawValue: state) else { return nil }
            return ComplaintFacts(
                trackingID: tracking_id, submittedAt: submitted_at, type: ComplaintType(rawValue: type) ?? .pengaduan,
                channel: Channel(rawValue: channel) ?? .web, category: category_code, state: state,
                jurisdiction: jurisdiction_code, unit: unit_id, dispositionCount: disposition_count,
                dispositionJurisdictions: Complaint.jurisdictions(disposition_jurisdictions), reopenCount: reopen_count, rating: rating, archiveReason: archive_reason.flatMap(ArchiveReason.init(rawValue:)),
                confidential: confidential)
        }
    }

    private struct StageRow: Decodable {
        var stage_id: Int?
        var tracking_id: String
        var kind: String
        var jurisdiction_code: String
        var unit_id: String?
        var started_at: Date
        var due_at: Date
        var ended_at: Date?
        var late: Bool?
        var working_days: Double?

        var facts: StageFacts? {
            guard let kind = StageKind(rawValue: kind) else { return nil }
            return StageFacts(complaintTrackingID: tracking_id, kind: kind, jurisdiction: jurisdiction_code, unit: unit_id,
                              startedAt: started_at, dueAt: due_at, endedAt: ended_at, late: late, workingDays: working_days)
        }
    }
}
