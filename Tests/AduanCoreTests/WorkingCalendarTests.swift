import Foundation
import Testing
@testable import AduanCore

// MARK: - Fixtures

/// A date the test knows to be valid.
private func date(_ iso: String) -> LocalDate {
    guard let date = LocalDate(iso) else { fatalError("bad fixture date \(iso)") }
    return date
}

/// An instant written as RFC 3339 with its offset, so expectations never go through the code under test.
private func instant(_ rfc3339: String) -> Date {
    guard let instant = ISO8601DateFormatter().date(from: rfc3339) else { fatalError("bad fixture instant \(rfc3339)") }
    return instant
}

private func zone(_ identifier: String) -> TimeZone {
    guard let zone = TimeZone(identifier: identifier) else { fatalError("no time zone \(identifier)") }
    return zone
}

/// National holidays and cuti bersama of 2026 (SPEC data/id-holidays.csv), written out literally.
private let holidays2026: Set<LocalDate> = Set([
    "2026-01-01", // Tahun Baru 2026 Masehi
    "2026-01-16", // Isra Mikraj
    "2026-02-16", // cuti bersama Imlek
    "2026-02-17", // Tahun Baru Imlek
    "2026-03-18", // cuti bersama Nyepi
    "2026-03-19", // Nyepi
    "2026-03-20", // cuti bersama Idul Fitri
    "2026-03-21", // Idul Fitri
    "2026-03-22", // Idul Fitri
    "2026-03-23", // cuti bersama Idul Fitri
    "2026-03-24", // cuti bersama Idul Fitri
    "2026-04-03", // Wafat Yesus Kristus
    "2026-04-05", // Paskah
    "2026-05-01", // Hari Buruh
    "2026-05-14", // Kenaikan Yesus Kristus
    "2026-05-15", // cuti bersama Kenaikan
    "2026-05-27", // Idul Adha
    "2026-05-28", // cuti bersama Idul Adha
    "2026-05-31", // Waisak
    "2026-06-01", // Hari Lahir Pancasila
    "2026-06-16", // Tahun Baru Islam
    "2026-08-17", // Hari Proklamasi
    "2026-08-25", // Maulid Nabi
    "2026-12-24", // cuti bersama Natal
    "2026-12-25", // Natal
].map(date))

/// Kalimantan Selatan's calendar for 2026: WITA, Monday to Friday, the national list.
private let kalsel = WorkingCalendar(timeZone: WorkingCalendar.wita, holidays: holidays2026)

// MARK: - LocalDate

@Suite("LocalDate")
struct LocalDateTests {
    @Test("a strict ISO date parses into its fields and prints back the same")
    func parsesStrictISO() {
        // Given the text of SPEC §5's submission date
        let text = "2026-03-13"
        // When it is parsed
        let parsed = LocalDate(text)
        // Then the fields are read and the description is the same text
        #expect(parsed?.year == 2026)
        #expect(parsed?.month == 3)
        #expect(parsed?.day == 13)
        #expect(parsed?.description == text)
        #expect(parsed == LocalDate(year: 2026, month: 3, day: 13))
    }

    @Test("malformed or impossible dates are rejected", arguments: [
        "2026-02-30", "2026-2-3", "x", "", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31",
        "2025-02-29", "1900-02-29", "2100-02-29", "2026-03-13 ", " 2026-03-13", "2026/03/13",
        "+2026-03-13", "20260313", "2026-03-1a", "2026-03-13T00:00", "２０２６-03-13", "10000-01-01",
        "-001-01-01", "2026--3-13", "2026-0x-13",
    ])
    func rejectsMalformed(text: String) {
        // Given malformed or impossible text / When parsed / Then there is no date
        #expect(LocalDate(text) == nil)
    }

    @Test("leap days exist exactly in Gregorian leap years")
    func leapDays() {
        // Given years divisible by 4, by 100 and by 400
        // Then only the Gregorian leap years have a 29 February
        #expect(LocalDate("2028-02-29") != nil)
        #expect(LocalDate("2000-02-29") != nil)
        #expect(LocalDate("2024-02-29") != nil)
        #expect(LocalDate("2027-02-29") == nil)
        #expect(LocalDate("1900-02-29") == nil)
        #expect(LocalDate("2100-02-29") == nil)
        #expect(LocalDate.isLeapYear(2028))
        #expect(!LocalDate.isLeapYear(2026))
    }

    @Test("the field initialiser refuses dates outside the calendar and outside 0000-9999")
    func fieldInitialiserValidates() {
        #expect(LocalDate(year: 2026, month: 2, day: 30) == nil)
        #expect(LocalDate(year: 2026, month: 0, day: 1) == nil)
        #expect(LocalDate(year: 2026, month: 13, day: 1) == nil)
        #expect(LocalDate(year: 2026, month: 1, day: 0) == nil)
        #expect(LocalDate(year: 2026, month: 1, day: 32) == nil)
        #expect(LocalDate(year: -1, month: 1, day: 1) == nil)
        #expect(LocalDate(year: 10_000, month: 1, day: 1) == nil)
        #expect(LocalDate(year: 0, month: 1, day: 1) != nil)
        #expect(LocalDate(year: 9999, month: 12, day: 31) != nil)
    }

    @Test("years below 1000 are zero-padded so the text parses back")
    func padsSmallYears() {
        // Given an early date
        let early = LocalDate(year: 5, month: 1, day: 2)!
        // When printed / Then it has four year digits and round-trips
        #expect(early.description == "0005-01-02")
        #expect(LocalDate(early.description) == early)
    }

    @Test("day numbers count from 1970-01-01")
    func knownDayNumbers() {
        #expect(date("1970-01-01").dayNumber == 0)
        #expect(date("1970-01-02").dayNumber == 1)
        #expect(date("1969-12-31").dayNumber == -1)
        #expect(date("2000-03-01").dayNumber == 11_017)
        #expect(date("2026-03-13").dayNumber == 20_525)
        #expect(date("0000-01-01").dayNumber == -719_528)
        #expect(date("9999-12-31").dayNumber == 2_932_896)
        #expect(LocalDate.supportedDayNumbers == -719_528...2_932_896)
        #expect(LocalDate(dayNumber: 20_525) == date("2026-03-13"))
    }

    @Test("every day number in 0000-9999 round-trips and follows the previous day")
    func dayNumberRoundTripsOverTheWholeRange() {
        // Given every supported day, in order
        var previous = LocalDate(dayNumber: LocalDate.supportedDayNumbers.lowerBound)
        #expect(previous == date("0000-01-01"))
        var failures = 0
        for number in LocalDate.supportedDayNumbers.dropFirst() {
            // When it is converted to a date and back
            let current = LocalDate(dayNumber: number)
            // Then it comes back unchanged, and it is the calendar successor of the day before
            let isSuccessor: Bool
            if previous.day < LocalDate.daysInMonth(year: previous.year, month: previous.month) {
                isSuccessor = current.year == previous.year && current.month == previous.month
                    && current.day == previous.day + 1
            } else if previous.month < 12 {
                isSuccessor = current.year == previous.year && current.month == previous.month + 1 && current.day == 1
            } else {
                isSuccessor = current.year == previous.year + 1 && current.month == 1 && current.day == 1
            }
            if current.dayNumber != number || !isSuccessor || !(previous < current) {
                failures += 1
                if failures <= 5 { Issue.record("day \(number): \(previous) -> \(current)") }
            }
            previous = current
        }
        #expect(failures == 0)
        #expect(previous == date("9999-12-31"))
    }

    @Test("day numbers agree with Foundation's Gregorian calendar from 1600 to 2400")
    func agreesWithFoundation() {
        // Given Foundation's calendar as an independent oracle (proleptic only after 1582, hence 1600)
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(secondsFromGMT: 0)!
        let first = date("1600-01-01").dayNumber
        let last = date("2400-12-31").dayNumber
        for number in stride(from: first, through: last, by: 97) {
            // When both convert the same day
            let ours = LocalDate(dayNumber: number)
            let theirs = gregorian.dateComponents(
                [.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(number) * 86_400))
            // Then they name the same date and weekday (Foundation: 1 = Sunday)
            #expect(ours.year == theirs.year && ours.month == theirs.month && ours.day == theirs.day,
                    "day \(number): \(ours)")
            #expect(ours.isoWeekday == (theirs.weekday! + 5) % 7 + 1, "weekday of \(ours)")
        }
    }

    @Test("ISO weekdays of known dates", arguments: [
        ("1970-01-01", 4), ("2026-03-13", 5), ("2026-03-14", 6), ("2026-03-15", 7), ("2026-03-16", 1),
        ("2026-12-25", 5), ("2027-01-01", 5), ("2000-01-01", 6), ("2028-02-29", 2), ("1945-08-17", 5),
        ("1969-12-31", 3), ("0000-01-01", 6), ("9999-12-31", 5),
    ])
    func isoWeekdays(iso: String, weekday: Int) {
        #expect(date(iso).isoWeekday == weekday)
    }

    @Test("adding days crosses months, leap days and years in both directions")
    func addingDays() {
        #expect(date("2028-02-28").adding(days: 1) == date("2028-02-29"))
        #expect(date("2028-02-28").adding(days: 2) == date("2028-03-01"))
        #expect(date("2027-02-28").adding(days: 1) == date("2027-03-01"))
        #expect(date("2026-12-31").adding(days: 1) == date("2027-01-01"))
        #expect(date("2027-01-01").adding(days: -1) == date("2026-12-31"))
        #expect(date("2026-03-13").adding(days: 0) == date("2026-03-13"))
        #expect(date("2026-03-13").adding(days: 365) == date("2027-03-13"))
        #expect(date("1970-01-01").adding(days: -719_528) == date("0000-01-01"))
    }

    @Test("dates order by calendar position")
    func ordering() {
        // Given dates out of order
        let shuffled = ["2027-01-01", "2026-12-31", "2026-03-13", "1999-12-31", "2026-03-02"].map(date)
        // When sorted / Then they follow the calendar and day numbers
        let sorted = shuffled.sorted()
        #expect(sorted.map(\.description) == ["1999-12-31", "2026-03-02", "2026-03-13", "2026-12-31", "2027-01-01"])
        #expect(sorted.map(\.dayNumber) == sorted.map(\.dayNumber).sorted())
        #expect(date("2026-03-02") < date("2026-03-13"))
        #expect(!(date("2026-03-13") < date("2026-03-13")))
    }

    @Test("a date is encoded as its ISO string and decoding validates it")
    func codable() throws {
        // Given a date in a JSON payload
        struct Payload: Codable, Equatable { var incidentDate: LocalDate }
        let payload = Payload(incidentDate: date("2026-03-13"))
        // When encoded and decoded
        let json = try JSONEncoder().encode(payload)
        // Then the wire form is the plain string and it decodes back
        #expect(String(decoding: json, as: UTF8.self) == #"{"incidentDate":"2026-03-13"}"#)
        #expect(try JSONDecoder().decode(Payload.self, from: json) == payload)
        // And an impossible or malformed date is refused
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Payload.self, from: Data(#"{"incidentDate":"2026-02-30"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Payload.self, from: Data(#"{"incidentDate":"13/03/2026"}"#.utf8))
        }
    }
}

// MARK: - WorkingCalendar

@Suite("WorkingCalendar")
struct WorkingCalendarTests {
    // MARK: Time zone and days

    @Test("WITA is Asia/Makassar, UTC+8 all year")
    func witaZone() {
        #expect(WorkingCalendar.wita.identifier == "Asia/Makassar")
        #expect(WorkingCalendar.wita.secondsFromGMT(for: instant("2026-01-15T00:00:00Z")) == 8 * 3600)
        #expect(WorkingCalendar.wita.secondsFromGMT(for: instant("2026-07-15T00:00:00Z")) == 8 * 3600)
    }

    @Test("a new calendar works Monday to Friday with no holidays")
    func defaults() {
        let calendar = WorkingCalendar(timeZone: WorkingCalendar.wita)
        #expect(calendar.workingWeekdays == [1, 2, 3, 4, 5])
        #expect(calendar.holidays.isEmpty)
        #expect(calendar == WorkingCalendar(timeZone: zone("Asia/Makassar")))
        #expect(calendar != kalsel)
    }

    @Test("weekends and holidays are not working days")
    func workingDays() {
        #expect(kalsel.isWorkingDay(date("2026-03-13")))   // Friday
        #expect(!kalsel.isWorkingDay(date("2026-03-14")))  // Saturday
        #expect(!kalsel.isWorkingDay(date("2026-03-15")))  // Sunday
        #expect(kalsel.isWorkingDay(date("2026-03-16")))   // Monday
        #expect(!kalsel.isWorkingDay(date("2026-03-19")))  // Nyepi
        #expect(!kalsel.isWorkingDay(date("2026-03-24")))  // cuti bersama
        #expect(kalsel.isWorkingDay(date("2026-03-25")))
    }

    @Test("local midnight in WITA is 16:00 UTC the day before")
    func localDateUsesTheZone() {
        // Given the last and the first second of a WITA day
        let lastSecondOfTuesday = instant("2026-04-07T23:59:59+08:00")
        let firstSecondOfWednesday = instant("2026-04-08T00:00:00+08:00")
        // Then they fall on different local dates although both are 7 April in UTC
        #expect(firstSecondOfWednesday == instant("2026-04-07T16:00:00Z"))
        #expect(kalsel.localDate(of: lastSecondOfTuesday) == date("2026-04-07"))
        #expect(kalsel.localDate(of: firstSecondOfWednesday) == date("2026-04-08"))
        #expect(kalsel.localDate(of: instant("2026-04-07T15:59:59Z").addingTimeInterval(0.999)) == date("2026-04-07"))
        // And a date before 1970 still rounds toward the earlier day
        #expect(kalsel.localDate(of: instant("1969-12-31T15:59:59Z")) == date("1969-12-31"))
    }

    @Test("a WITA day starts at local 00:00 and ends at local 23:59:59")
    func witaDayBounds() {
        #expect(kalsel.startOfDay(date("2026-03-25")) == instant("2026-03-25T00:00:00+08:00"))
        #expect(kalsel.endOfDay(date("2026-03-25")) == instant("2026-03-25T23:59:59+08:00"))
        #expect(kalsel.startOfDay(date("2026-03-25")) == instant("2026-03-24T16:00:00Z"))
    }

    // MARK: due and workingDay

    @Test("SPEC §5 worked example: Friday 13 March 15:00 WITA plus 3 HK across Nyepi and Idul Fitri is due 25 March 23:59:59")
    func specWorkedExample() {
        // Given a complaint submitted on Friday 2026-03-13 at 15:00 WITA, with 18-24 March off
        let submitted = instant("2026-03-13T15:00:00+08:00")
        // When the 3-working-day verification deadline is computed
        let due = kalsel.due(from: submitted, workingDays: 3)
        // Then the working days are 16, 17 and 25 March and the deadline is the end of the 25th
        #expect(kalsel.workingDay(1, after: date("2026-03-13")) == date("2026-03-16"))
        #expect(kalsel.workingDay(2, after: date("2026-03-13")) == date("2026-03-17"))
        #expect(kalsel.workingDay(3, after: date("2026-03-13")) == date("2026-03-25"))
        #expect(due == instant("2026-03-25T23:59:59+08:00"))
        #expect(due == instant("2026-03-25T15:59:59Z"))
        #expect(kalsel.workingDaysBetween(date("2026-03-13"), date("2026-03-25")) == 3)
    }

    @Test("weekends are skipped")
    func weekends() {
        // Given a plain week in April 2026
        let friday = instant("2026-04-10T10:00:00+08:00")
        let monday = instant("2026-04-13T10:00:00+08:00")
        // Then one HK after Friday is Monday, and five after Monday is the next Monday
        #expect(kalsel.due(from: friday, workingDays: 1) == instant("2026-04-13T23:59:59+08:00"))
        #expect(kalsel.due(from: monday, workingDays: 5) == instant("2026-04-20T23:59:59+08:00"))
        #expect(kalsel.due(from: monday, workingDays: 10) == instant("2026-04-27T23:59:59+08:00"))
    }

    @Test("a single holiday is skipped: Labour Day on a Friday")
    func singleHoliday() {
        // Given Thursday 30 April, the day before Hari Buruh
        let thursday = instant("2026-04-30T09:00:00+08:00")
        // Then one HK later is Monday 4 May
        #expect(kalsel.due(from: thursday, workingDays: 1) == instant("2026-05-04T23:59:59+08:00"))
    }

    @Test("cuti bersama runs are skipped: Ascension, Idul Adha, Waisak and Pancasila")
    func cutiBersamaRuns() {
        // Given Wednesday 13 May, before Kenaikan (14th) and its cuti bersama (15th)
        #expect(kalsel.workingDay(1, after: date("2026-05-13")) == date("2026-05-18"))
        // Given Tuesday 26 May: Idul Adha 27, cuti 28, Waisak Sunday 31, Pancasila Monday 1 June
        #expect(kalsel.workingDay(1, after: date("2026-05-26")) == date("2026-05-29"))
        #expect(kalsel.workingDay(2, after: date("2026-05-26")) == date("2026-06-02"))
        #expect(kalsel.workingDay(3, after: date("2026-05-26")) == date("2026-06-03"))
        // Given Friday 13 February: cuti bersama Imlek Monday 16, Imlek Tuesday 17
        #expect(kalsel.workingDay(1, after: date("2026-02-13")) == date("2026-02-18"))
    }

    @Test("the last second of a WITA day still counts from that day, the next second from the next")
    func submissionsAtMidnight() {
        // Given two submissions one second apart around Wednesday 00:00 WITA (16:00 UTC Tuesday)
        let lastSecondOfTuesday = instant("2026-04-07T23:59:59+08:00")
        let midnightWednesday = instant("2026-04-08T00:00:00+08:00")
        // When each gets a 1 HK deadline
        // Then Tuesday's submission is due at the end of Wednesday, Wednesday's at the end of Thursday
        #expect(kalsel.due(from: lastSecondOfTuesday, workingDays: 1) == instant("2026-04-08T23:59:59+08:00"))
        #expect(kalsel.due(from: midnightWednesday, workingDays: 1) == instant("2026-04-09T23:59:59+08:00"))
    }

    @Test("a submission at 23:59:59 WITA on the eve of a holiday run counts from that day")
    func submissionOnTheEveOfHolidays() {
        // Given Tuesday 17 March 23:59:59 WITA, the night before Nyepi's cuti bersama
        let lateTuesday = instant("2026-03-17T23:59:59+08:00")
        // Then the next working day is Wednesday 25 March
        #expect(kalsel.due(from: lateTuesday, workingDays: 1) == instant("2026-03-25T23:59:59+08:00"))
        // And one second later (Wednesday 18th, a holiday) it is the same
        #expect(kalsel.due(from: lateTuesday.addingTimeInterval(1), workingDays: 1)
                == instant("2026-03-25T23:59:59+08:00"))
    }

    @Test("a submission on a Saturday, Sunday or holiday starts counting on the next working day")
    func submissionOnADayOff() {
        // Given submissions on Saturday 11 and Sunday 12 April
        let saturday = instant("2026-04-11T10:00:00+08:00")
        let sunday = instant("2026-04-12T22:00:00+08:00")
        // Then 1 HK is the end of Monday 13 April
        #expect(kalsel.due(from: saturday, workingDays: 1) == instant("2026-04-13T23:59:59+08:00"))
        #expect(kalsel.due(from: sunday, workingDays: 1) == instant("2026-04-13T23:59:59+08:00"))
        // Given a submission on Good Friday 3 April (Easter Sunday 5th is a holiday too)
        let goodFriday = instant("2026-04-03T09:00:00+08:00")
        // Then 1 HK is Monday 6 April and 3 HK Wednesday 8 April
        #expect(kalsel.due(from: goodFriday, workingDays: 1) == instant("2026-04-06T23:59:59+08:00"))
        #expect(kalsel.due(from: goodFriday, workingDays: 3) == instant("2026-04-08T23:59:59+08:00"))
        // Given a submission on the first day of the Nyepi-Idul Fitri run
        let nyepiEve = instant("2026-03-18T08:00:00+08:00")
        #expect(kalsel.due(from: nyepiEve, workingDays: 1) == instant("2026-03-25T23:59:59+08:00"))
    }

    @Test("zero working days means the end of the submission's own local day")
    func zeroWorkingDays() {
        #expect(kalsel.workingDay(0, after: date("2026-03-19")) == date("2026-03-19"))
        #expect(kalsel.workingDay(-3, after: date("2026-03-19")) == date("2026-03-19"))
        #expect(kalsel.due(from: instant("2026-03-13T15:00:00+08:00"), workingDays: 0)
                == instant("2026-03-13T23:59:59+08:00"))
    }

    @Test("Christmas and year end: counting crosses into 2027")
    func yearEnd() {
        // Given 2027's New Year added by an administrator to the 2026 list
        var calendar = kalsel
        calendar.holidays.insert(date("2027-01-01"))
        // And a submission on Wednesday 23 December 2026
        let submitted = instant("2026-12-23T10:00:00+08:00")
        // Then 24 (cuti bersama), 25 (Natal) and the weekend are skipped
        #expect(calendar.due(from: submitted, workingDays: 1) == instant("2026-12-28T23:59:59+08:00"))
        #expect(calendar.due(from: submitted, workingDays: 3) == instant("2026-12-30T23:59:59+08:00"))
        // And 5 HK skips New Year's Day (a Friday) and the weekend after it
        #expect(calendar.due(from: submitted, workingDays: 5) == instant("2027-01-04T23:59:59+08:00"))
        #expect(calendar.workingDaysBetween(date("2026-12-23"), date("2027-01-04")) == 5)
        // And a submission at 23:59:59 on New Year's Eve still belongs to 2026
        #expect(calendar.due(from: instant("2026-12-31T23:59:59+08:00"), workingDays: 1)
                == instant("2027-01-04T23:59:59+08:00"))
    }

    @Test("leap years: 29 February is an ordinary working day")
    func leapYear() {
        let calendar = WorkingCalendar(timeZone: WorkingCalendar.wita)
        // Given Friday 25 February 2028 / Then 2 HK is Tuesday 29 February
        #expect(calendar.workingDay(2, after: date("2028-02-25")) == date("2028-02-29"))
        #expect(calendar.workingDay(3, after: date("2028-02-25")) == date("2028-03-01"))
        #expect(calendar.due(from: instant("2028-02-28T12:00:00+08:00"), workingDays: 1)
                == instant("2028-02-29T23:59:59+08:00"))
        // And February 2028 has one more working day than February 2027
        #expect(calendar.workingDaysBetween(date("2028-01-31"), date("2028-02-29")) == 21)
        #expect(calendar.workingDaysBetween(date("2027-01-31"), date("2027-02-28")) == 20)
    }

    @Test("a six-day working week counts Saturdays but not Sundays or holidays")
    func sixDayWeek() {
        // Given a unit open Monday to Saturday (e.g. a hospital service point)
        let calendar = WorkingCalendar(timeZone: WorkingCalendar.wita, workingWeekdays: [1, 2, 3, 4, 5, 6],
                                       holidays: holidays2026)
        // Then Friday + 1 is Saturday and Saturday + 1 is Monday
        #expect(calendar.workingDay(1, after: date("2026-04-10")) == date("2026-04-11"))
        #expect(calendar.workingDay(1, after: date("2026-04-11")) == date("2026-04-13"))
        #expect(calendar.due(from: instant("2026-04-10T15:00:00+08:00"), workingDays: 1)
                == instant("2026-04-11T23:59:59+08:00"))
        // And SPEC's example on this calendar: 14 March (Saturday), 16, 17 March
        #expect(calendar.workingDay(3, after: date("2026-03-13")) == date("2026-03-17"))
        // And the Idul Fitri Saturday (21 March) is still a holiday
        #expect(calendar.workingDay(3, after: date("2026-03-16")) == date("2026-03-26"))
        // And a week has six working days
        #expect(calendar.workingDaysBetween(date("2026-04-12"), date("2026-04-19")) == 6)
    }

    @Test("a Sunday-to-Thursday week is supported")
    func sundayToThursday() {
        let calendar = WorkingCalendar(timeZone: WorkingCalendar.wita, workingWeekdays: [7, 1, 2, 3, 4])
        #expect(calendar.workingDay(1, after: date("2026-04-09")) == date("2026-04-12"))
        #expect(!calendar.isWorkingDay(date("2026-04-10")))
    }

    @Test("a calendar with no working weekday gives up after 20 years instead of looping")
    func noWorkingWeekday() {
        // Given a misconfigured calendar (accepted by the initialiser)
        let closed = WorkingCalendar(timeZone: WorkingCalendar.wita, workingWeekdays: [])
        let nonsense = WorkingCalendar(timeZone: WorkingCalendar.wita, workingWeekdays: [0, 8])
        // When a working day is asked for
        let start = date("2026-03-13")
        // Then the search stops about 20 years on and returns that date
        #expect(closed.workingDay(1, after: start) == start.adding(days: WorkingCalendar.searchLimitDays))
        #expect(closed.workingDay(3, after: start) == date("2046-03-13"))
        #expect(nonsense.workingDay(1, after: start) == date("2046-03-13"))
        #expect(closed.due(from: instant("2026-03-13T12:00:00+08:00"), workingDays: 60)
                == instant("2046-03-13T23:59:59+08:00"))
        #expect(closed.workingDaysBetween(date("2026-01-01"), date("2026-12-31")) == 0)
        #expect(closed.elapsedWorkingDays(from: instant("2026-03-13T00:00:00+08:00"),
                                          to: instant("2026-04-13T00:00:00+08:00")) == 0)
    }

    @Test("a long run of working days is found however far away it is")
    func longCounts() {
        // Given the 2026 calendar / When counting 240 HK from 31 December 2025
        let lastOf2026 = kalsel.workingDay(240, after: date("2025-12-31"))
        // Then it lands on the last working day of 2026 (2026 has 240 of them: 261 weekdays, 21 weekday holidays)
        #expect(lastOf2026 == date("2026-12-31"))
        #expect(kalsel.workingDaysBetween(date("2025-12-31"), date("2026-12-31")) == 240)
    }

    @Test("the search stops at the last supported date")
    func stopsAtTheEndOfTime() {
        let calendar = WorkingCalendar(timeZone: WorkingCalendar.wita)
        #expect(calendar.workingDay(5, after: date("9999-12-29")) == date("9999-12-31"))
    }

    @Test("due dates always land at the end of a working day, after the submission", arguments: [1, 3, 5, 14, 60])
    func dueProperties(workingDays: Int) {
        // Given a submission every 5 hours through the first half of 2026
        var submitted = instant("2026-01-01T00:00:00+08:00")
        while submitted < instant("2026-07-01T00:00:00+08:00") {
            // When its deadline is computed
            let due = kalsel.due(from: submitted, workingDays: workingDays)
            let dueDate = kalsel.localDate(of: due)
            // Then it is after the submission, at 23:59:59 local, on a working day
            // that is exactly `workingDays` working days after the submission's date
            #expect(due > submitted)
            #expect(kalsel.isWorkingDay(dueDate))
            #expect(kalsel.localDate(of: due.addingTimeInterval(1)) == dueDate.adding(days: 1))
            #expect(kalsel.workingDaysBetween(kalsel.localDate(of: submitted), dueDate) == workingDays)
            submitted.addTimeInterval(5 * 3600)
        }
    }

    // MARK: workingDaysBetween

    @Test("working days between two dates count (a, b]")
    func workingDaysBetween() {
        #expect(kalsel.workingDaysBetween(date("2026-04-10"), date("2026-04-13")) == 1)   // Fri → Mon
        #expect(kalsel.workingDaysBetween(date("2026-04-13"), date("2026-04-13")) == 0)
        #expect(kalsel.workingDaysBetween(date("2026-04-17"), date("2026-04-13")) == 0)   // reversed
        #expect(kalsel.workingDaysBetween(date("2026-04-12"), date("2026-04-17")) == 5)
        #expect(kalsel.workingDaysBetween(date("2026-03-17"), date("2026-03-24")) == 0)   // holiday run
    }

    @Test("workingDaysBetween undoes workingDay for every start date of 2026")
    func workingDaysBetweenInvertsWorkingDay() {
        var start = date("2026-01-01")
        while start <= date("2026-12-31") {
            for n in [0, 1, 2, 3, 5, 14] {
                #expect(kalsel.workingDaysBetween(start, kalsel.workingDay(n, after: start)) == n, "\(n) after \(start)")
            }
            start = start.adding(days: 1)
        }
    }

    // MARK: elapsedWorkingDays

    @Test("12 hours inside one working day are half a working day")
    func elapsedWithinADay() {
        let morning = instant("2026-04-13T08:00:00+08:00")
        let evening = instant("2026-04-13T20:00:00+08:00")
        #expect(kalsel.elapsedWorkingDays(from: morning, to: evening) == 0.5)
    }

    @Test("a working day and a half is 1.5 (SPEC §5)")
    func elapsedOneAndAHalf() {
        #expect(kalsel.elapsedWorkingDays(from: instant("2026-04-13T00:00:00+08:00"),
                                          to: instant("2026-04-14T12:00:00+08:00")) == 1.5)
    }

    @Test("a weekend in the middle does not count: Friday noon to Monday noon is 1.0")
    func elapsedAcrossAWeekend() {
        #expect(kalsel.elapsedWorkingDays(from: instant("2026-04-10T12:00:00+08:00"),
                                          to: instant("2026-04-13T12:00:00+08:00")) == 1.0)
    }

    @Test("holidays in the middle do not count")
    func elapsedAcrossHolidays() {
        // Given Tuesday 17 March noon to Wednesday 25 March noon, with 18-24 March off
        let from = instant("2026-03-17T12:00:00+08:00")
        let to = instant("2026-03-25T12:00:00+08:00")
        // Then only the two half days count
        #expect(kalsel.elapsedWorkingDays(from: from, to: to) == 1.0)
    }

    @Test("time spent on a holiday before the first working day does not count")
    func elapsedFromAHoliday() {
        // Given a stage opened on Nyepi and closed at 06:00 on the first working day after the run
        let from = instant("2026-03-19T10:00:00+08:00")
        let to = instant("2026-03-25T06:00:00+08:00")
        // Then a quarter of a working day elapsed
        #expect(kalsel.elapsedWorkingDays(from: from, to: to) == 0.25)
        // And an interval entirely within holidays is zero
        #expect(kalsel.elapsedWorkingDays(from: from, to: instant("2026-03-24T23:59:59+08:00")) == 0)
    }

    @Test("an empty or reversed interval has no working time")
    func elapsedReversed() {
        let earlier = instant("2026-04-13T08:00:00+08:00")
        let later = instant("2026-04-14T08:00:00+08:00")
        #expect(kalsel.elapsedWorkingDays(from: later, to: earlier) == 0)
        #expect(kalsel.elapsedWorkingDays(from: earlier, to: earlier) == 0)
    }

    @Test("the WITA day boundary is 16:00 UTC, not 00:00 UTC")
    func elapsedRespectsTheZone() {
        // Given Friday 16:00 UTC (Saturday 00:00 WITA) to Saturday 12:00 UTC: all Saturday in WITA
        #expect(kalsel.elapsedWorkingDays(from: instant("2026-04-10T16:00:00Z"),
                                          to: instant("2026-04-11T12:00:00Z")) == 0)
        // Given Sunday 16:00 UTC to Monday 04:00 UTC: Monday 00:00-12:00 WITA
        #expect(kalsel.elapsedWorkingDays(from: instant("2026-04-12T16:00:00Z"),
                                          to: instant("2026-04-13T04:00:00Z")) == 0.5)
    }

    @Test("a whole year of working time equals its working days")
    func elapsedOverAYear() {
        let from = instant("2026-01-01T00:00:00+08:00")
        let to = instant("2027-01-01T00:00:00+08:00")
        #expect(kalsel.elapsedWorkingDays(from: from, to: to) == 240)
    }

    @Test("elapsed time is additive: splitting an interval anywhere keeps the total")
    func elapsedIsAdditive() {
        let from = instant("2026-03-10T09:30:00+08:00")
        let to = instant("2026-04-10T17:45:00+08:00")
        let whole = kalsel.elapsedWorkingDays(from: from, to: to)
        var cut = from
        while cut < to {
            let parts = kalsel.elapsedWorkingDays(from: from, to: cut) + kalsel.elapsedWorkingDays(from: cut, to: to)
            #expect(abs(parts - whole) < 1e-9, "cut at \(cut)")
            cut.addTimeInterval(7 * 3600 + 13 * 60)
        }
    }

    // MARK: Daylight saving time

    @Test("Berlin spring forward: 29 March 2026 has 23 hours")
    func berlinSpringForward() {
        // Given a calendar in a zone that leaves UTC+1 for UTC+2 at 02:00 on 29 March 2026
        let berlin = WorkingCalendar(timeZone: zone("Europe/Berlin"), workingWeekdays: [1, 2, 3, 4, 5, 6, 7])
        // Then the day starts in winter time and ends in summer time
        #expect(berlin.startOfDay(date("2026-03-29")) == instant("2026-03-29T00:00:00+01:00"))
        #expect(berlin.endOfDay(date("2026-03-29")) == instant("2026-03-29T23:59:59+02:00"))
        #expect(berlin.startOfDay(date("2026-03-30")) == instant("2026-03-30T00:00:00+02:00"))
        #expect(berlin.localDate(of: instant("2026-03-29T22:30:00Z")) == date("2026-03-30"))
        #expect(berlin.localDate(of: instant("2026-03-29T01:30:00Z")) == date("2026-03-29"))
        // And the whole day is 23 hours of working time
        #expect(berlin.elapsedWorkingDays(from: berlin.startOfDay(date("2026-03-29")),
                                          to: berlin.startOfDay(date("2026-03-30"))) == 23.0 / 24.0)
        // And Saturday noon to Monday noon is 47 hours
        #expect(berlin.elapsedWorkingDays(from: instant("2026-03-28T12:00:00+01:00"),
                                          to: instant("2026-03-30T12:00:00+02:00")) == 47.0 / 24.0)
    }

    @Test("Berlin fall back: 25 October 2026 has 25 hours")
    func berlinFallBack() {
        let berlin = WorkingCalendar(timeZone: zone("Europe/Berlin"), workingWeekdays: [1, 2, 3, 4, 5, 6, 7])
        #expect(berlin.startOfDay(date("2026-10-25")) == instant("2026-10-25T00:00:00+02:00"))
        #expect(berlin.startOfDay(date("2026-10-26")) == instant("2026-10-26T00:00:00+01:00"))
        #expect(berlin.endOfDay(date("2026-10-25")) == instant("2026-10-25T23:59:59+01:00"))
        #expect(berlin.elapsedWorkingDays(from: berlin.startOfDay(date("2026-10-25")),
                                          to: berlin.startOfDay(date("2026-10-26"))) == 25.0 / 24.0)
    }

    @Test("Berlin, Monday to Friday: a DST Sunday is skipped and deadlines end at summer-time midnight")
    func berlinWorkingWeek() {
        let berlin = WorkingCalendar(timeZone: zone("Europe/Berlin"))
        // Given Friday 27 March 12:00 CET to Monday 30 March 12:00 CEST
        let friday = instant("2026-03-27T12:00:00+01:00")
        let monday = instant("2026-03-30T12:00:00+02:00")
        // Then half of Friday and half of Monday elapsed
        #expect(berlin.elapsedWorkingDays(from: friday, to: monday) == 1.0)
        // And 1 HK from Friday is due at the end of Monday, in summer time
        #expect(berlin.due(from: friday, workingDays: 1) == instant("2026-03-30T23:59:59+02:00"))
    }

    @Test("when a clock change skips midnight the day starts at the change (Santiago, 6 September 2026)")
    func midnightSkipped() {
        // Given Chile's rule: 24:00 on Saturday becomes 01:00 on Sunday
        let santiago = WorkingCalendar(timeZone: zone("America/Santiago"))
        // Then Sunday starts at 01:00 summer time and Saturday ends a second earlier
        #expect(santiago.startOfDay(date("2026-09-06")) == instant("2026-09-06T01:00:00-03:00"))
        #expect(santiago.endOfDay(date("2026-09-05")) == instant("2026-09-05T23:59:59-04:00"))
        #expect(santiago.localDate(of: instant("2026-09-06T01:00:00-03:00")) == date("2026-09-06"))
    }

    @Test("when midnight happens twice the day starts at the first one (Havana, 1 November 2026)")
    func midnightRepeated() {
        // Given Cuba's rule: 01:00 daylight time becomes 00:00 standard time
        let havana = WorkingCalendar(timeZone: zone("America/Havana"))
        // Then the day starts at the earlier midnight
        #expect(havana.startOfDay(date("2026-11-01")) == instant("2026-11-01T00:00:00-04:00"))
        #expect(havana.endOfDay(date("2026-10-31")) == instant("2026-10-31T23:59:59-04:00"))
        #expect(havana.startOfDay(date("2026-11-02")) == instant("2026-11-02T00:00:00-05:00"))
    }

    @Test("start and end of day agree with Foundation's calendar in zones with DST, every day of 2026",
          arguments: ["Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "Asia/Makassar"])
    func dayBoundsAgreeWithFoundation(identifier: String) {
        // Given Foundation's calendar as an oracle for the same zone
        let timeZone = zone(identifier)
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = timeZone
        let calendar = WorkingCalendar(timeZone: timeZone)
        var day = date("2026-01-01")
        while day <= date("2026-12-31") {
            // When both find the start of the day
            let start = calendar.startOfDay(day)
            let noon = start.addingTimeInterval(12 * 3600)
            // Then they agree, the day maps back to itself, and the day ends a second before the next begins
            #expect(start == gregorian.startOfDay(for: noon), "\(identifier) \(day)")
            #expect(calendar.localDate(of: start) == day)
            #expect(calendar.localDate(of: start.addingTimeInterval(-1)) == day.adding(days: -1))
            #expect(calendar.endOfDay(day).addingTimeInterval(1) == calendar.startOfDay(day.adding(days: 1)))
            day = day.adding(days: 1)
        }
    }

    @Test("a fixed UTC+8 zone behaves like WITA")
    func fixedOffsetZone() {
        let fixed = WorkingCalendar(timeZone: TimeZone(secondsFromGMT: 8 * 3600)!, holidays: holidays2026)
        let submitted = instant("2026-03-13T15:00:00+08:00")
        #expect(fixed.due(from: submitted, workingDays: 3) == kalsel.due(from: submitted, workingDays: 3))
        #expect(fixed.elapsedWorkingDays(from: submitted, to: instant("2026-03-25T12:00:00+08:00"))
                == kalsel.elapsedWorkingDays(from: submitted, to: instant("2026-03-25T12:00:00+08:00")))
    }
}
