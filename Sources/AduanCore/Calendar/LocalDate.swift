import Foundation

/// A calendar date with no time zone ("2026-03-13").
///
/// Dates follow the proleptic Gregorian calendar and are limited to the years
/// `LocalDate.supportedYears` (0000-9999), so that every value has a four-digit ISO form
/// and `description` always parses back.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The year, 0...9999.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...31.
    public let day: Int

    /// The years a `LocalDate` can hold: exactly those with a four-digit ISO 8601 form.
    public static let supportedYears: ClosedRange<Int> = 0...9999

    /// The day numbers of 0000-01-01 and 9999-12-31, the bounds of `init(dayNumber:)`.
    public static let supportedDayNumbers: ClosedRange<Int> =
        daysFromCivil(year: 0, month: 1, day: 1)...daysFromCivil(year: 9999, month: 12, day: 31)

    /// Creates a date, or nil when it is not a real Gregorian date in the supported years.
    public init?(year: Int, month: Int, day: Int) {
        guard Self.supportedYears.contains(year), (1...12).contains(month),
              day >= 1, day <= Self.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses the strict ISO form "YYYY-MM-DD"; nil for anything else or an impossible date.
    public init?(_ iso: String) {
        // Work on raw bytes: strict means ASCII digits only, so "２０２６" or "+2026" never slip through.
        let bytes = Array(iso.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Self.number(bytes[0..<4]),
              let month = Self.number(bytes[5..<7]),
              let day = Self.number(bytes[8..<10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Creates the date `dayNumber` days after 1970-01-01; traps outside `supportedDayNumbers`.
    public init(dayNumber: Int) {
        precondition(Self.supportedDayNumbers.contains(dayNumber),
                     "LocalDate day number \(dayNumber) is outside the years 0000-9999")
        (year, month, day) = Self.civilFromDays(dayNumber)
    }

    /// The ISO form "YYYY-MM-DD".
    public var description: String {
        Self.padded(year, width: 4) + "-" + Self.padded(month, width: 2) + "-" + Self.padded(day, width: 2)
    }

    /// Days since 1970-01-01 (negative before it).
    public var dayNumber: Int {
        Self.daysFromCivil(year: year, month: month, day: day)
    }

    /// The date `days` days later (earlier when negative); traps outside the supported years.
    public func adding(days: Int) -> LocalDate {
        days == 0 ? self : LocalDate(dayNumber: dayNumber + days)
    }

    /// The ISO weekday: 1 = Monday ... 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        Self.floorMod(dayNumber + 3, 7) + 1
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "Expected a date as YYYY-MM-DD, got \"\(text)\"")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// MARK: - Calendar arithmetic

extension LocalDate {
    /// Whether `year` has a 29 February.
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` of `year` (0 for an invalid month).
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeapYear(year) ? 29 : 28
        default: 0
        }
    }

    // The arithmetic below counts years from 1 March, so the leap day is the last day of the
    // counted year and every month length except February's is fixed; 400-year eras repeat
    // exactly (146,097 days). That makes both directions branch-free and O(1), which matters
    // because deadline scans convert dates in a loop.

    private static let daysPerEra = 146_097
    /// Days from 0000-03-01 to 1970-01-01.
    private static let epochShift = 719_468

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = floorDiv(marchYear, 400)
        let yearOfEra = marchYear - era * 400                          // 0...399
        let monthFromMarch = (month + 9) % 12                          // March = 0 ... February = 11
        // Month lengths from March run 31,30,31,30,31 and repeat; (153m + 2) / 5 sums them.
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1       // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * daysPerEra + dayOfEra - epochShift
    }

    static func civilFromDays(_ dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = dayNumber + epochShift
        let era = floorDiv(shifted, daysPerEra)
        let dayOfEra = shifted - era * daysPerEra                      // 0...146096
        // Undo the leap-day corrections (every 4, 100 and 400 years) to find the year in the era.
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int {
        a - floorDiv(a, b) * b
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func padded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
