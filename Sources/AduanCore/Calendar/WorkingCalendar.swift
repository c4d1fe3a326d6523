import Foundation

/// A jurisdiction's working-day calendar (SPEC §5).
///
/// Local dates are found with `TimeZone.secondsFromGMT(for:)` and day-number arithmetic
/// rather than Foundation `Calendar`, which is far slower in the loops deadlines need.
/// Instants must fall within the years `LocalDate` supports (0000-9999).
public struct WorkingCalendar: Sendable, Equatable {
    /// The zone whose wall clock decides which date an instant belongs to.
    public var timeZone: TimeZone
    /// The ISO weekdays (1 = Monday ... 7 = Sunday) that are working days; other values are ignored.
    public var workingWeekdays: Set<Int>
    /// Dates that are not working days even on a working weekday (libur nasional, cuti bersama, local holidays).
    public var holidays: Set<LocalDate>

    /// How far `workingDay(_:after:)` looks for a next working day before giving up (about 20 years).
    public static let searchLimitDays = 7_305

    /// Creates a calendar; a calendar with no working weekday is accepted (see `workingDay(_:after:)`).
    public init(timeZone: TimeZone, workingWeekdays: Set<Int> = [1, 2, 3, 4, 5], holidays: Set<LocalDate> = []) {
        self.timeZone = timeZone
        self.workingWeekdays = workingWeekdays
        self.holidays = holidays
    }

    /// Waktu Indonesia Tengah (Asia/Makassar, UTC+8 with no daylight saving), Kalimantan Selatan's zone.
    public static let wita: TimeZone =
        // WITA has been a fixed UTC+8 since 1945, so a fixed offset is a faithful stand-in
        // on a host without time-zone data.
        TimeZone(identifier: "Asia/Makassar") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    private static let secondsPerDay = 86_400

    /// The local date, in this calendar's zone, of `instant`.
    public func localDate(of instant: Date) -> LocalDate {
        let offset = Double(timeZone.secondsFromGMT(for: instant))
        let localSeconds = instant.timeIntervalSince1970 + offset
        return LocalDate(dayNumber: Int((localSeconds / Double(Self.secondsPerDay)).rounded(.down)))
    }

    /// The instant of local 00:00 of `date` (the first instant of that date when a clock change skips midnight).
    public func startOfDay(_ date: LocalDate) -> Date {
        Date(timeIntervalSince1970: Double(startOfDaySeconds(date.dayNumber)))
    }

    /// The instant of local 23:59:59 of `date` (one second before the next date starts).
    public func endOfDay(_ date: LocalDate) -> Date {
        Date(timeIntervalSince1970: Double(startOfDaySeconds(date.dayNumber + 1) - 1))
    }

    /// Whether `date` falls on a working weekday and is not a holiday.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        workingWeekdays.contains(date.isoWeekday) && !holidays.contains(date)
    }

    /// The `n`-th working day strictly after `date`; `date` itself when `n <= 0`.
    ///
    /// When no working day turns up within `searchLimitDays` (a calendar with no working
    /// weekday, or a holiday list covering 20 years) the search stops and returns the date it
    /// reached, so a misconfigured calendar yields a far-future deadline instead of hanging.
    /// The search also stops at 9999-12-31.
    public func workingDay(_ n: Int, after date: LocalDate) -> LocalDate {
        guard n > 0 else { return date }
        let lastDay = LocalDate.supportedDayNumbers.upperBound
        var day = date.dayNumber
        var found = 0
        var daysSinceLastFound = 0
        while found < n, day < lastDay {
            day += 1
            if isWorkingDay(LocalDate(dayNumber: day)) {
                found += 1
                daysSinceLastFound = 0
            } else {
                daysSinceLastFound += 1
                if daysSinceLastFound >= Self.searchLimitDays { break }
            }
        }
        return LocalDate(dayNumber: day)
    }

    /// The deadline of `n` working days from `start`: the end of the `n`-th working day after its local date.
    public func due(from start: Date, workingDays n: Int) -> Date {
        endOfDay(workingDay(n, after: localDate(of: start)))
    }

    /// The working time within [from, to], in days of 24 hours; 0 when `to <= from`.
    ///
    /// Only the parts of the interval that fall on working days count, so a stage opened on
    /// a Saturday and closed on Monday at 06:00 took 0.25 working days.
    public func elapsedWorkingDays(from: Date, to: Date) -> Double {
        guard to > from else { return 0 }
        var total = 0.0
        var segmentStart = from
        // Between two offset changes local time runs in step with real time, so each such
        // segment can be measured on the local wall clock with plain day arithmetic.
        while segmentStart < to {
            var segmentEnd = to
            if let change = timeZone.nextDaylightSavingTimeTransition(after: segmentStart), change < to {
                segmentEnd = change
            }
            let offset = Double(timeZone.secondsFromGMT(for: segmentStart))
            total += workingSeconds(
                localFrom: segmentStart.timeIntervalSince1970 + offset,
                localTo: segmentEnd.timeIntervalSince1970 + offset)
            segmentStart = segmentEnd
        }
        return total / Double(Self.secondsPerDay)
    }

    /// The number of working days in (a, b]; 0 when `b <= a`.
    public func workingDaysBetween(_ a: LocalDate, _ b: LocalDate) -> Int {
        let first = a.dayNumber + 1
        let last = b.dayNumber
        guard first <= last else { return 0 }
        var count = 0
        for day in first...last where isWorkingDay(LocalDate(dayNumber: day)) {
            count += 1
        }
        return count
    }

    // MARK: - Private

    /// Working seconds in the local wall-clock interval [localFrom, localTo), both in seconds since local 1970-01-01 00:00.
    private func workingSeconds(localFrom: Double, localTo: Double) -> Double {
        let secondsPerDay = Double(Self.secondsPerDay)
        let firstDay = Int((localFrom / secondsPerDay).rounded(.down))
        let lastDay = Int((localTo / secondsPerDay).rounded(.down))
        var seconds = 0.0
        for day in firstDay...lastDay where isWorkingDay(LocalDate(dayNumber: day)) {
            let dayStart = Double(day) * secondsPerDay
            seconds += max(0, min(localTo, dayStart + secondsPerDay) - max(localFrom, dayStart))
        }
        return seconds
    }

    /// Seconds since 1970 (UTC) of the first instant whose local date has `dayNumber`.
    private func startOfDaySeconds(_ dayNumber: Int) -> Int {
        let localMidnight = dayNumber * Self.secondsPerDay
        func offset(at seconds: Int) -> Int {
            timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
        }
        // The real instant lies within ±14 h of `localMidnight`, so the offsets two days either
        // side are the only ones that can be in force there, assuming at most one clock change
        // in those four days (true of every zone in the tz database).
        let offsetBefore = offset(at: localMidnight - 2 * Self.secondsPerDay)
        let offsetAfter = offset(at: localMidnight + 2 * Self.secondsPerDay)
        // A candidate is real when the offset in force at it is the one that produced it.
        // When the clock falls back over midnight both are real; the day starts at the earlier.
        var earliest: Int?
        for candidateOffset in [offsetBefore, offsetAfter] {
            let candidate = localMidnight - candidateOffset
            if candidate < earliest ?? .max, candidate + offset(at: candidate) == localMidnight {
                earliest = candidate
            }
        }
        if let earliest { return earliest }

        // Midnight was skipped by a clock change (e.g. America/Santiago in September): the day
        // starts at the change. Bisect between the two candidates: local time is before
        // midnight at `low` and at or past it at `high`.
        var low = localMidnight - max(offsetBefore, offsetAfter)
        var high = localMidnight - min(offsetBefore, offsetAfter)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if middle + offset(at: middle) >= localMidnight { high = middle } else { low = middle }
        }
        return high
    }
}
