import AduanCore
import Fluent
import Vapor

/// What the sysadmin's home and the coordinators' pages say while a year's national holidays are missing (issue 19,
/// fix 11): from October, next year's SKB list is due; the current year's whenever it was never loaded. Once a list
/// is loaded no stored due is recomputed (SPEC §5); the open stages whose due may have come too early are listed.
enum CalendarNotice {
    /// The year whose list is missing now, on the installation's root jurisdiction's clock.
    static func missingYear(_ req: Request, _ reference: ReferenceData) -> Int? {
        reference.coverage.missingYear(at: req.application.clock.now, in: reference.calendar(for: reference.defaultJurisdiction))
    }

    static func warning(_ req: Request, _ reference: ReferenceData) -> String? {
        missingYear(req, reference).map { req.text("calendar_missing", ["year": "\($0)"]) }
    }

    /// One open stage for the sysadmin to review (`CalendarCoverage.needsReview`).
    struct Review: Content {
        var trackingID: String
        var stage: String
        var unit: String
        var started: String
        var due: String
    }

    /// How many reviews the home lists at most (the rest are counted).
    static let reviewLimit = 100

    /// The open stages begun before this year or last whose due lies in a loaded later year and passed one of its
    /// holidays: this year's and next year's only, as a stage is weeks long.
    static func reviews(_ req: Request, _ reference: ReferenceData) async throws -> (items: [Review], total: Int) {
        let root = reference.calendar(for: reference.defaultJurisdiction)
        let thisYear = root.localDate(of: req.application.clock.now).year
        var found: [Stage] = []
        for year in [thisYear, thisYear + 1] where reference.coverage.isLoaded(year) {
            guard let first = LocalDate(year: year, month: 1, day: 1) else { continue }
            // A day's margin each side for zones east or west of the root's; the rule below decides on each stage's own calendar.
            let begins = root.startOfDay(first)
            let stages = try await Stage.query(on: req.db).filter(\.$endedAt == nil)
                .filter(\.$startedAt < begins.addingTimeInterval(86_400)).filter(\.$dueAt >= begins.addingTimeInterval(-86_400))
                .sort(\.$dueAt).sort(\.$id).all()
            found += stages.filter {
                reference.coverage.needsReview(start: $0.startedAt, due: $0.dueAt, in: reference.calendar(for: $0.jurisdictionCode))
            }
        }
        let shown = Array(found.prefix(reviewLimit))
        let complaints = try await Complaint.query(on: req.db).filter(\.$id ~~ Set(shown.map(\.complaintID))).all()
        let ids = Dictionary(complaints.compactMap { c in c.id.map { ($0, c.trackingID) } }, uniquingKeysWith: { a, _ in a })
        let items = shown.map { s in
            let wording = Wording(req, timeZone: reference.calendar(for: s.jurisdictionCode).timeZone)
            return Review(trackingID: ids[s.complaintID] ?? "—", stage: req.text("stage_\(s.kind)"),
                          unit: s.unitID.flatMap { reference.tree.units[$0]?.name } ?? s.jurisdictionCode,
                          started: wording.dateTime(s.startedAt), due: wording.dateTime(s.dueAt))
        }
        return (items, found.count)
    }
}
