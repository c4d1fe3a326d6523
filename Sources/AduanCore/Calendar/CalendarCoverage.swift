import Foundation

/// Which years the national holiday list covers, and what follows when a due falls outside them (issue 19, fix 11).
///
/// The SKB (joint decree) of the national holidays and cuti bersama of a year is published in the autumn before it.
/// Until it is loaded, working days of that year are counted as if it had no holiday, so a due that falls in it may
/// come too early: it is *provisional*. Stored dues are never recomputed when the list arrives (SPEC §5); the open
/// stages whose due lies in such a year are listed for the sysadmin to review instead.
public struct CalendarCoverage: Sendable, Equatable {
    /// The years with at least one national holiday (`libur_nasional`) on the national list. Every Indonesian year
    /// has some (1 January at the least), so a year without one has not been loaded.
    public var loadedYears: Set<Int>

    /// The month from which next year's list is expected (the SKB comes out in the autumn): October.
    public static let warningMonth = 10

    public init(loadedYears: Set<Int>) {
        self.loadedYears = loadedYears
    }

    /// The coverage of a national list: the years of its `libur_nasional` dates (cuti bersama alone do not load a year).
    public init(national: [(date: LocalDate, kind: HolidayKind)]) {
        loadedYears = Set(national.filter { $0.kind == .libur_nasional }.map(\.date.year))
    }

    public func isLoaded(_ year: Int) -> Bool {
        loadedYears.contains(year)
    }

    /// Whether `due` falls (on `calendar`'s wall clock) in a year whose national holidays are not loaded.
    public func isProvisional(_ due: Date, in calendar: WorkingCalendar) -> Bool {
        !isLoaded(calendar.localDate(of: due).year)
    }

    /// The year to warn about on `now`: from October, next year when its list is not loaded yet; and the current year
    /// whenever it is not loaded (an installation that never loaded this year's list counts every holiday as work).
    public func missingYear(at now: Date, in calendar: WorkingCalendar) -> Int? {
        let today = calendar.localDate(of: now)
        if !isLoaded(today.year) { return today.year }
        if today.month >= Self.warningMonth && !isLoaded(today.year + 1) { return today.year + 1 }
        return nil
    }

    /// Whether an open stage's stored due is one to review now that its year is loaded (SPEC §5: it is not
    /// recomputed). It is when the stage began in an earlier year (before the SKB of its due's year was, at best,
    /// just out), its due's year is loaded now, and a holiday of that year on a working weekday lies after the start
    /// and on or before the due: a due counted without that holiday comes a working day (or more) too early.
    /// A stage whose due was already counted with the list can be listed too; a review finds nothing to change.
    public func needsReview(start: Date, due: Date, in calendar: WorkingCalendar) -> Bool {
        let from = calendar.localDate(of: start), to = calendar.localDate(of: due)
        guard to.year > from.year, isLoaded(to.year) else { return false }
        return calendar.holidays.contains { $0.year == to.year && $0 <= to && calendar.workingWeekdays.contains($0.isoWeekday) }
    }
}
