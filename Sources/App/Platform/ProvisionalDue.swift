import AduanCore
import Foundation

extension Wording {
    /// A due as the page writes it (the date, or with `time` the date and time), followed by "(provisional …)" when it
    /// falls in a year whose national holidays are not loaded (`CalendarCoverage`, issue 19): it was counted without
    /// that year's holidays and may come too early. Stored dues are never recomputed (SPEC §5).
    func due(_ instant: Date, time: Bool = false, coverage: CalendarCoverage) -> String {
        let text = time ? dateTime(instant) : date(instant)
        let calendar = WorkingCalendar(timeZone: timeZone)
        guard coverage.isProvisional(instant, in: calendar) else { return text }
        return text + " " + catalog.text("due_provisional", language, ["year": "\(calendar.localDate(of: instant).year)"])
    }
}
