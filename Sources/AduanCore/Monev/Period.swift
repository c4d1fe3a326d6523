import Foundation

/// An evaluation period (SPEC §8: monthly, quarterly, yearly reports) in a jurisdiction's calendar.
public struct Period: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case month, quarter, year }

    public var kind: Kind
    public var year: Int
    /// The month (1-12) or the quarter (1-4); 1 for a year.
    public var index: Int

    public init?(kind: Kind, year: Int, index: Int = 1) {
        let range = kind == .month ? 1...12 : kind == .quarter ? 1...4 : 1...1
        guard (1900...9999).contains(year), range.contains(index) else { return nil }
        self.kind = kind; self.year = year; self.index = index
    }

    /// The first day of the period and the first day after it.
    public var days: (first: LocalDate, next: LocalDate) {
        switch kind {
        case .year:
            return (LocalDate(year: year, month: 1, day: 1)!, LocalDate(year: year + 1, month: 1, day: 1)!)
        case .quarter:
            let month = (index - 1) * 3 + 1
            let first = LocalDate(year: year, month: month, day: 1)!
            return (first, index == 4 ? LocalDate(year: year + 1, month: 1, day: 1)! : LocalDate(year: year, month: month + 3, day: 1)!)
        case .month:
            let first = LocalDate(year: year, month: index, day: 1)!
            return (first, index == 12 ? LocalDate(year: year + 1, month: 1, day: 1)! : LocalDate(year: year, month: index + 1, day: 1)!)
        }
    }

    /// [start of the first day, start of the next day) in the calendar's time zone.
    public func bounds(in calendar: WorkingCalendar) -> (from: Date, to: Date) {
        (calendar.startOfDay(days.first), calendar.startOfDay(days.next))
    }

    /// The months the period covers, for a trend chart: (year, month) pairs in order.
    public var months: [(year: Int, month: Int)] {
        var result: [(Int, Int)] = []
        var day = days.first
        while day < days.next {
            result.append((day.year, day.month))
            day = day.month == 12 ? LocalDate(year: day.year + 1, month: 1, day: 1)! : LocalDate(year: day.year, month: day.month + 1, day: 1)!
        }
        return result.map { (year: $0.0, month: $0.1) }
    }
}
