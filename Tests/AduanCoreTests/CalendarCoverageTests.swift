import Foundation
import Testing
@testable import AduanCore

// Issue 19, fix 11 (SPEC §5): the SKB of a year's national holidays comes out in the autumn before it. From October,
// until next year's list is loaded, the pages say so; a due in a year without a loaded list is provisional. Read
// against the real national list (data/id-holidays.csv, which holds 2026 only) where it is present.

private typealias F = Fixture

@Suite("Calendar coverage: which years the national holidays cover")
struct CalendarCoverageTests {
    static let wita = WorkingCalendar(timeZone: WorkingCalendar.wita)

    /// The national list of data/id-holidays.csv, read by the import the sysadmin's page uses.
    static func sharedList() throws -> [HolidayEntry]? {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/id-holidays.csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("../shared/data/id-holidays.csv is missing") }
            return nil
        }
        return try HolidayImport.parse(text)
    }

    @Test("the shipped list covers 2026 only: from October 2026 the pages ask for 2027, and its dues are provisional")
    func shippedList() throws {
        guard let entries = try Self.sharedList() else { return }
        let coverage = CalendarCoverage(national: entries.compactMap { e in e.kind.map { (date: e.date, kind: $0) } })
        #expect(coverage.loadedYears == [2026])
        #expect(coverage.missingYear(at: F.at("2026-09-30 23:59"), in: Self.wita) == nil)
        #expect(coverage.missingYear(at: F.at("2026-10-01 00:00"), in: Self.wita) == 2027)
        #expect(coverage.missingYear(at: F.at("2026-12-07 10:00"), in: Self.wita) == 2027)
        #expect(!coverage.isProvisional(F.at("2026-12-31 23:59"), in: Self.wita))
        #expect(coverage.isProvisional(F.at("2027-01-04 23:59"), in: Self.wita))
        // In 2027 itself, without its list, the current year is the missing one.
        #expect(coverage.missingYear(at: F.at("2027-01-04 08:00"), in: Self.wita) == 2027)
    }

    @Test("a year is loaded by its libur nasional, not by cuti bersama or local days alone; the wall clock decides the year")
    func whatLoadsAYear() throws {
        let newYear = try #require(LocalDate("2027-01-01"))
        let cuti = try #require(LocalDate("2027-12-24"))
        #expect(CalendarCoverage(national: [(date: cuti, kind: .cuti_bersama)]).loadedYears.isEmpty)
        #expect(CalendarCoverage(national: [(date: cuti, kind: .libur_daerah)]).loadedYears.isEmpty)
        let coverage = CalendarCoverage(national: [(date: newYear, kind: .libur_nasional), (date: cuti, kind: .cuti_bersama)])
        #expect(coverage.loadedYears == [2027])
        // 31 December 2027 17:00 UTC is already 1 January 2028 01:00 in WITA.
        let instant = Date(timeIntervalSince1970: 1_830_272_400)
        #expect(Self.wita.localDate(of: instant).description == "2028-01-01")
        #expect(coverage.isProvisional(instant, in: Self.wita))
        #expect(!coverage.isProvisional(instant, in: WorkingCalendar(timeZone: TimeZone(identifier: "Pacific/Honolulu")!)))
    }

    @Test("loading a year lists the open stages begun the year before whose due passed one of its holidays, and only those")
    func review() throws {
        // 1 January (Tahun Baru Masehi) is a national holiday every year; in 2027 it is a Friday.
        let newYear = try #require(LocalDate("2027-01-01"))
        let loaded = CalendarCoverage(national: [(date: newYear, kind: .libur_nasional)])
        let calendar = WorkingCalendar(timeZone: WorkingCalendar.wita, holidays: [newYear])
        // Begun Tuesday 29 December 2026: five working days counted without 2027's list end Tuesday 5 January.
        let start = F.at("2026-12-29 09:00"), due = F.at("2027-01-05 23:59:59")
        #expect(WorkingCalendar(timeZone: WorkingCalendar.wita).due(from: start, workingDays: 5) == due)
        #expect(calendar.due(from: start, workingDays: 5) > due, "with the holiday the due is a day later")
        #expect(loaded.needsReview(start: start, due: due, in: calendar))
        #expect(!CalendarCoverage(loadedYears: [2026]).needsReview(start: start, due: due, in: calendar), "2027 not loaded yet: provisional, not for review")
        #expect(!loaded.needsReview(start: F.at("2027-01-02 09:00"), due: F.at("2027-01-08 23:59"), in: calendar), "begun in 2027")
        #expect(!loaded.needsReview(start: F.at("2026-12-21 09:00"), due: F.at("2026-12-31 23:59"), in: calendar), "due in 2026")
        let saturday = try #require(LocalDate("2027-01-02"))
        #expect(!CalendarCoverage(loadedYears: [2027]).needsReview(start: start, due: due, in: WorkingCalendar(timeZone: WorkingCalendar.wita, holidays: [saturday])),
                "a holiday on a weekend changes no due")
    }
}
