import AduanCore
import Fluent
import Foundation
import SQLKit

/// Reads the inputs of the monev engine (SPEC §8) from the `complaints` and `stages` tables: the public
/// transparency pages and the inspector's dashboard both start here, so their figures cannot drift apart.
enum MonevQuery {
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

        let complaints = sql.select()
            .columns("tracking_id", "submitted_at", "type", "channel", "category_code", "state", "jurisdiction_code",
                     "unit_id", "disposition_count", "reopen_count", "rating", "archive_reason")
            .from("complaints")
        // As of an instant the scope is the jurisdiction a complaint had then, decided after the replay.
        restrict(complaints, table: "complaints", jurisdictions: asOf == nil ? codes : [], unit: asOf == nil ? unit : nil, from: from, to: to)

        let stages = sql.select()
            .column(SQLColumn("tracking_id", table: "complaints"))
            .column(SQLColumn("kind", table: "stages"))
            .column(SQLColumn("jurisdiction_code", table: "stages"))
            .column(SQLColumn("unit_id", table: "stages"))
            .column(SQLColumn("started_at", table: "stages"))
            .column(SQLColumn("due_at", table: "stages"))
            .column(SQLColumn("ended_at", table: "stages"))
            .column(SQLColumn("late", table: "stages"))
            .from("stages")
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

    private struct ComplaintRow: Decodable {
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

        /// Nil for a row whose stored codes this version does not know (never expected; skipped, not fatal).
        var facts: ComplaintFacts? {
            guard let state = ComplaintState(rawValue: state) else { return nil }
            return ComplaintFacts(
                trackingID: tracking_id, submittedAt: submitted_at, type: ComplaintType(rawValue: type) ?? .pengaduan,
                channel: Channel(rawValue: channel) ?? .web, category: category_code, state: state,
                jurisdiction: jurisdiction_code, unit: unit_id, dispositionCount: disposition_count,
                reopenCount: reopen_count, rating: rating, archiveReason: archive_reason.flatMap(ArchiveReason.init(rawValue:)))
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

        var facts: StageFacts? {
            guard let kind = StageKind(rawValue: kind) else { return nil }
            return StageFacts(complaintTrackingID: tracking_id, kind: kind, jurisdiction: jurisdiction_code, unit: unit_id,
                              startedAt: started_at, dueAt: due_at, endedAt: ended_at, late: late)
        }
    }
}
