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
        /// Each jurisdiction of the scope on its own (the ranking of kabupaten/kota).
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
    ///   `unit` narrows it to one unit; `from`/`to` bound `submitted_at`; `asOf` rebuilds the past from the events.
    /// - `including`: units to list even without figures.
    /// - `fromRows`: count from the rows even where the stored counters could answer (the tests compare the two).
    static func figures(on db: any Database, reference: ReferenceData, jurisdictions codes: [String], unit: String? = nil,
                        from: Date?, to: Date?, now: Date, asOf: Date? = nil, weights: ComplianceWeights,
                        including: [String] = [], overdueLimit: Int = 100, fromRows: Bool = false) async throws -> Figures {
        guard let sql = db as? any SQLDatabase else {
            throw AppError(status: .internalServerError, code: "internal", message: "monev needs an SQL database")
        }
        if !fromRows, asOf == nil, unit == nil, !codes.isEmpty, let months = wholeMonths(from: from, to: to, jurisdictions: codes, reference: reference) {
            return try await stored(sql, reference: reference, jurisdictions: codes, months: months, from: from, to: to, now: now,
                                    weights: weights, including: including, overdueLimit: overdueLimit)
        }
        let (complaints, stages) = try await facts(on: db, jurisdictions: codes, unit: unit, from: from, to: to, asOf: asOf)
        let lookup = reference.calendar(for:)
        var byJurisdiction: [String: MetricSummary] = [:]
        if codes.count > 1 {
            for code in codes {
                byJurisdiction[code] = MetricEngine.summary(complaints: complaints.filter { $0.jurisdiction == code },
                                                            stages: stages.filter { $0.jurisdiction == code }, now: now, calendar: lookup)
            }
        }
        var received: [Int: Int] = [:]
        for c in complaints { received[MonevTally.month(of: c.submittedAt, in: lookup(c.jurisdiction)), default: 0] += 1 }
        let overdue = MetricEngine.overdue(stages: stages, now: now, calendar: lookup)
        return Figures(summary: MetricEngine.summary(complaints: complaints, stages: stages, now: now, calendar: lookup),
                       units: MetricEngine.units(complaints: complaints, stages: stages, now: now, calendar: lookup, weights: weights,
                                                 including: including),
                       jurisdictions: byJurisdiction, receivedByMonth: received, overdue: Array(overdue.prefix(overdueLimit)),
                       overdueCount: overdue.count, publicCount: complaints.filter { !$0.confidential }.count, stored: false)
    }

    /// [`from`, `to`) as `yyyymm` bounds when both fall on the first day of a month in every jurisdiction's calendar
    /// (the stored counters are per month of each jurisdiction); nil otherwise. A missing bound is open.
    static func wholeMonths(from: Date?, to: Date?, jurisdictions: [String], reference: ReferenceData) -> (from: Int, to: Int)? {
        func month(_ date: Date?, open: Int) -> Int? {
            guard let date else { return open }
            var result: Int?
            for code in jurisdictions {
                let calendar = reference.calendar(for: code)
                let day = calendar.localDate(of: date)
                guard day.day == 1, calendar.startOfDay(day) == date else { return nil }
                let m = day.year * 100 + day.month
                if let result, result != m { return nil }
                result = m
            }
            return result
        }
        guard let a = month(from, open: 0), let b = month(to, open: 999_999) else { return nil }
        return (a, b)
    }

    /// The stored counters of the months plus the open stages past due at `now`.
    private static func stored(_ sql: any SQLDatabase, reference: ReferenceData, jurisdictions codes: [String], months: (from: Int, to: Int),
                               from: Date?, to: Date?, now: Date, weights: ComplianceWeights, including: [String],
                               overdueLimit: Int) async throws -> Figures {
        let read = try await MonevTally.read(on: sql, jurisdictions: codes, fromMonth: months.from, toMonth: months.to)
        // Open stages past due, counted per kind, jurisdiction and unit; then the most overdue of them.
        struct Count: Decodable { var kind: String; var jurisdiction_code: String; var unit_id: String?; var n: Int }
        let counts = try await openOverdue(sql, codes: codes, from: from, to: to, now: now)
            .column(SQLColumn("kind", table: "stages")).column(SQLColumn("jurisdiction_code", table: "stages"))
            .column(SQLColumn("unit_id", table: "stages")).column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .groupBy(SQLColumn("kind", table: "stages")).groupBy(SQLColumn("jurisdiction_code", table: "stages"))
            .groupBy(SQLColumn("unit_id", table: "stages"))
            .all(decoding: Count.self)
        var byJurisdiction: [String: [StageKind: Int]] = [:]
        var unitOverdue: [String: (response: Int, all: Int)] = [:]
        var overdueCount = 0
        for c in counts {
            guard let kind = StageKind(rawValue: c.kind) else { continue }
            byJurisdiction[c.jurisdiction_code, default: [:]][kind, default: 0] += c.n
            overdueCount += c.n
            if let unit = c.unit_id {
                var u = unitOverdue[unit] ?? (0, 0)
                u.all += c.n
                if kind == .response { u.response += c.n }
                unitOverdue[unit] = u
            }
        }
        let list = overdueLimit == 0 ? [] : try await openOverdue(sql, codes: codes, from: from, to: to, now: now)
            .join("complaints", on: SQLColumn("complaint_id", table: "stages"), .equal, SQLColumn("id", table: "complaints"))
            .columns(stageColumns)
            .orderBy(SQLColumn("due_at", table: "stages")).orderBy(SQLColumn("tracking_id", table: "complaints"))
            .limit(overdueLimit)
            .all(decoding: StageRow.self)
            .compactMap(\.facts)
            .map { OverdueStage(stage: $0, ageDays: reference.calendar(for: $0.jurisdiction).elapsedWorkingDays(from: $0.dueAt, to: now)) }

        var total = TallySums()
        var summaries: [String: MetricSummary] = [:]
        for code in codes {
            let sums = read.jurisdictions[code] ?? TallySums()
            total.add(sums)
            if codes.count > 1 { summaries[code] = MetricEngine.summary(sums, overdue: byJurisdiction[code] ?? [:]) }
        }
        var overdueByKind: [StageKind: Int] = [:]
        for kinds in byJurisdiction.values { overdueByKind.merge(kinds, uniquingKeysWith: +) }
        let unitIDs = Set(read.units.keys).union(unitOverdue.keys).union(including)
        let units = unitIDs.sorted().map { id in
            MetricEngine.unit(id, read.units[id] ?? TallySums(), responseOverdue: unitOverdue[id]?.response ?? 0,
                              overdueNow: unitOverdue[id]?.all ?? 0, weights: weights)
        }
        let summary = MetricEngine.summary(total, overdue: overdueByKind)
        return Figures(summary: summary, units: units, jurisdictions: summaries, receivedByMonth: read.receivedByMonth, overdue: list,
                       overdueCount: overdueCount, publicCount: summary.received - total.count(.confidential), stored: true)
    }

    /// Open stages of the scope past their due at `now`, of complaints submitted in [`from`, `to`): the query
    /// without its columns, answered by the `stages_open_overdue` index alone (open stages only, with their
    /// complaint's submission time).
    private static func openOverdue(_ sql: any SQLDatabase, codes: [String], from: Date?, to: Date?, now: Date) -> SQLSelectBuilder {
        let query = sql.select().from("stages")
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
    ///   ended later. The scope is the jurisdiction (and unit) a complaint had at the instant.
    static func facts(on db: any Database, jurisdictions: [String]?, unit: String?, from: Date?, to: Date?,
                      asOf: Date? = nil) async throws -> ([ComplaintFacts], [StageFacts]) {
        guard let sql = db as? any SQLDatabase else {
            throw AppError(status: .internalServerError, code: "internal", message: "monev needs an SQL database")
        }
        let codes = (jurisdictions ?? []).sorted()
        let to = asOf.map { instant in to.map { min($0, instant) } ?? instant } ?? to

        let complaints = sql.select().columns(complaintColumns).from("complaints")
        // As of an instant the scope is the jurisdiction a complaint had then, decided after the replay.
        restrict(complaints, table: "complaints", jurisdictions: asOf == nil ? codes : [], unit: asOf == nil ? unit : nil, from: from, to: to)

        let stages = sql.select().columns(stageColumns).from("stages")
            .join("complaints", on: SQLColumn("complaint_id", table: "stages"), .equal, SQLColumn("id", table: "complaints"))
        // The period is the complaint's; the scope is the stage's own.
        restrict(stages, table: "stages", jurisdictions: codes, unit: unit, from: from, to: to)

        let complaintRows = try await complaints.all(decoding: ComplaintRow.self)
        let stageRows = try await stages.all(decoding: StageRow.self)
        guard let asOf else { return (complaintRows.compactMap(\.facts), stageRows.compactMap(\.facts)) }

        // As of an instant: replay each complaint's events up to it.
        let events = sql.select()
            .column(SQLColumn("tracking_id", table: "complaints"))
            .column(SQLColumn("action", table: "events")).column(SQLColumn("to_state", table: "events"))
            .column(SQLColumn("jurisdiction_code", table: "events")).column(SQLColumn("data", table: "events"))
            .from("events")
            .join("complaints", on: SQLColumn("complaint_id", table: "events"), .equal, SQLColumn("id", table: "complaints"))
            .where(SQLColumn("at", table: "events"), .lessThanOrEqual, SQLBind(asOf))
            .orderBy(SQLColumn("complaint_id", table: "events")).orderBy(SQLColumn("seq", table: "events"))
        restrict(events, table: "complaints", jurisdictions: [], unit: nil, from: from, to: to)
        var steps: [String: [AsOf.Step]] = [:]
        for row in try await events.all(decoding: EventRow.self) {
            guard let action = Action(rawValue: row.action), let state = ComplaintState(rawValue: row.to_state) else { continue }
            let data = (try? JSONDecoder().decode([String: String].self, from: Data(row.data.utf8))) ?? [:]
            steps[row.tracking_id, default: []].append(AsOf.Step(action: action, toState: state, jurisdiction: row.jurisdiction_code, data: data))
        }
        let then = complaintRows.compactMap(\.facts).compactMap { AsOf.complaint($0, steps: steps[$0.trackingID] ?? []) }
            .filter { codes.isEmpty || codes.contains($0.jurisdiction) }
            .filter { unit == nil || $0.unit == unit }
        return (then, stageRows.compactMap(\.facts).compactMap { AsOf.stage($0, at: asOf) })
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
        if let unit { query.where(SQLColumn("unit_id", table: table), .equal, SQLBind(unit)) }
    }

    private static let complaintColumns = ["id", "tracking_id", "submitted_at", "type", "channel", "category_code", "state", "jurisdiction_code",
                                           "unit_id", "disposition_count", "reopen_count", "rating", "archive_reason", "confidential"]

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
                reopenCount: reopen_count, rating: rating, archiveReason: archive_reason.flatMap(ArchiveReason.init(rawValue:)),
                confidential: confidential)
        }
    }

    private struct EventRow: Decodable {
        var tracking_id: String
        var action: String
        var to_state: String
        var jurisdiction_code: String
        var data: String
    }

    private struct StageRow: Decodable {
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
