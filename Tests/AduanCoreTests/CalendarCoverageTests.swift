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
}
