import AduanCore
import Fluent
import Foundation
import SQLKit

extension MonevQuery {
    /// The confidential complaints (whistleblowing included) among those the figures of the same scope and period
    /// count, per cell of the breakdowns, per unit and per jurisdiction: what `SmallCounts` needs to withhold a small
    /// count of them from the public and from executives (SPEC §9). Read from the `complaints_confidential` partial
    /// index: only the confidential rows of the period.
    ///
    /// As of a past instant a complaint's state, unit or jurisdiction then may differ from now, so only the total is
    /// known (`figures.summary.received - figures.publicCount`, counted by the figures' own replay) and every cell is
    /// bounded by it.
    ///
    /// `shown`: the counts the caller will show (default: every count of the figures). When none of them is small
    /// (1 to 4), nothing can be withheld and the confidential rows are not read.
    static func sensitive(on db: any Database, reference: ReferenceData, figures: Figures, jurisdictions codes: [String], unit: String? = nil,
                          from: Date?, to: Date?, asOf: Date? = nil, shown: [Int]? = nil) async throws -> SensitiveCounts {
        let total = figures.summary.received - figures.publicCount
        guard total > 0 else { return SensitiveCounts() }
        let figuresShown = shown ?? Self.counts(figures)
        guard asOf == nil, figuresShown.contains(where: { $0 > 0 && $0 < SmallCounts.threshold }) else { return SensitiveCounts(bound: total) }
        guard let sql = db as? any SQLDatabase else {
            throw AppError(status: .internalServerError, code: "internal", message: "monev needs an SQL database")
        }
        // The same literal as the index's predicate, so both engines can answer from the index alone.
        let query = sql.select()
            .columns(complaintColumns)
            .from("complaints")
            .where(SQLRaw("confidential = TRUE"))
        if let from { query.where("submitted_at", .greaterThanOrEqual, SQLBind(from)) }
        if let to { query.where("submitted_at", .lessThan, SQLBind(to)) }
        if !codes.isEmpty { query.where("jurisdiction_code", .in, SQLBind.group(codes)) }
        if let unit { query.where("unit_id", .equal, SQLBind(unit)).where("disposition_count", .greaterThan, SQLBind(0)) }
        var counts = SensitiveCounts()
        for row in try await query.all(decoding: ComplaintRow.self) {
            if let facts = row.facts {
                counts.add(facts, month: MonevTally.month(of: facts.submittedAt, in: reference.calendar(for: facts.jurisdiction)))
            }
        }
        // The figures and this count read the same rows; should a write land between the two reads, bound the cells.
        return counts.total == total ? counts : SensitiveCounts(bound: max(total, counts.total))
    }

    /// Every count the figures hold: the summary's, its breakdowns', each unit's, each jurisdiction's, each month's.
    static func counts(_ f: Figures) -> [Int] {
        let s = f.summary
        var out = [s.received, s.dispositioned, s.archived, s.forwardedOut]
        for map in [s.byType, s.byChannel, s.byCategory, s.byState, s.archivedByReason] { out += map.values }
        out += f.units.map(\.dispositioned)
        out += f.jurisdictions.values.flatMap { [$0.received, $0.dispositioned] }
        out += f.receivedByMonth.values
        return out
    }
}
