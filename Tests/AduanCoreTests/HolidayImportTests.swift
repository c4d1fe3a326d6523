import Foundation
import Testing
@testable import AduanCore

// Holiday files an administrator uploads (SPEC §2: administrators add later years and local holidays): CSV with the
// columns of data/id-holidays.csv, and iCalendar (RFC 5545) all-day events. All or nothing, every problem with its line.

private func date(_ text: String) -> LocalDate { LocalDate(text)! }

/// The reasons of a refused file, by line.
private func refusal(_ text: String) -> [HolidayImportError] {
    do {
        let entries = try HolidayImport.parse(text)
        Issue.record("expected a refusal, got \(entries)")
        return []
    } catch {
        return error.errors
    }
}

@Suite("Holiday import: CSV")
struct HolidayCSVTests {
    @Test("the shipped list reads as it is: date, name and kind per line")
    func shippedFormat() throws {
        let text = """
        date,name,kind
        2026-01-01,Tahun Baru 2026 Masehi,libur_nasional
        2026-02-16,Cuti Bersama Tahun Baru Imlek,cuti_bersama
        2026-02-17,Tahun Baru Imlek 2577 Kongzili,libur_nasional

        """
        #expect(HolidayImport.format(of: text) == .csv)
        let entries = try HolidayImport.parse(text)
        #expect(entries == [
            HolidayEntry(date: date("2026-01-01"), name: "Tahun Baru 2026 Masehi", kind: .libur_nasional, line: 2),
            HolidayEntry(date: date("2026-02-16"), name: "Cuti Bersama Tahun Baru Imlek", kind: .cuti_bersama, line: 3),
            HolidayEntry(date: date("2026-02-17"), name: "Tahun Baru Imlek 2577 Kongzili", kind: .libur_nasional, line: 4),
        ])
    }

    @Test("columns in any order, CRLF, a byte-order mark, quoted names with commas and quotes, blank lines, no kind")
    func flexibleButExact() throws {
        let text = "\u{FEFF}Name,Date\r\n\"Hari Jadi Kota Banjarmasin, ke-500\",2026-09-24\r\n\r\n,,\r\n\"Hari \"\"Raya\"\" Lokal\",2026-10-01\r\n"
        let entries = try HolidayImport.parse(text)
        #expect(entries == [
            HolidayEntry(date: date("2026-09-24"), name: "Hari Jadi Kota Banjarmasin, ke-500", kind: nil, line: 2),
            HolidayEntry(date: date("2026-10-01"), name: "Hari \"Raya\" Lokal", kind: nil, line: 5),
        ])
    }

    @Test("a spreadsheet saved with semicolons reads the same")
    func semicolons() throws {
        let entries = try HolidayImport.parse("date;name;kind\r\n2026-09-24;Hari Jadi, Kota;libur_daerah\r\n")
        #expect(entries == [HolidayEntry(date: date("2026-09-24"), name: "Hari Jadi, Kota", kind: .libur_daerah, line: 2)])
    }

    @Test("a name may span lines inside quotes; later lines keep their own numbers")
    func multiLineCell() throws {
        let text = "date,name\n2026-09-24,\"Hari Jadi\nKota\"\n2026-09-25,Sehari Sesudahnya\n"
        let entries = try HolidayImport.parse(text)
        #expect(entries.map(\.line) == [2, 4])
        #expect(entries[0].name == "Hari Jadi\nKota")
    }

    @Test("every problem is reported with its line, and nothing is returned")
    func problems() {
        let text = """
        date,name,kind
        2026-02-30,Tanggal mustahil,libur_nasional
        26-01-01,Tahun pendek,libur_nasional
        2026-05-01,,libur_nasional
        2026-05-02,Libur,libur_kantor
        2026-06-01,Pancasila,libur_nasional
        2026-06-01,Pancasila lagi,libur_nasional
        2026-07-01,\(String(repeating: "x", count: 201)),libur_daerah
        """
        #expect(refusal(text) == [
            HolidayImportError(line: 2, .badDate("2026-02-30")),
            HolidayImportError(line: 3, .badDate("26-01-01")),
            HolidayImportError(line: 4, .missingName),
            HolidayImportError(line: 5, .badKind("libur_kantor")),
            HolidayImportError(line: 7, .duplicateDate(date("2026-06-01"), firstLine: 6)),
            HolidayImportError(line: 8, .nameTooLong),
        ])
    }

    @Test("a header without date or name, an open quote, and a file with no holiday are refused")
    func structure() {
        #expect(refusal("tanggal,nama\n2026-01-01,Tahun Baru\n") == [
            HolidayImportError(line: 1, .missingColumn("date")), HolidayImportError(line: 1, .missingColumn("name")),
        ])
        #expect(refusal("date,name\n2026-01-01,\"Tahun Baru\n2026-01-02,x\n") == [HolidayImportError(line: 2, .unterminatedQuote)])
        #expect(refusal("date,name,kind\n") == [HolidayImportError(line: 1, .empty)])
        #expect(refusal("") == [HolidayImportError(line: 1, .empty)])
    }
}

@Suite("Holiday import: iCalendar")
struct HolidayICalendarTests {
    static let calendar = """
    BEGIN:VCALENDAR\r
    VERSION:2.0\r
    PRODID:-//Contoh//Libur//ID\r
    BEGIN:VEVENT\r
    UID:1@contoh\r
    DTSTART;VALUE=DATE:20260318\r
    DTEND;VALUE=DATE:20260321\r
    SUMMARY:Cuti Bersama Idul Fitri\\, 1447 H\r
    CATEGORIES:cuti_bersama\r
    END:VEVENT\r
    BEGIN:VEVENT\r
    UID:2@contoh\r
    DTSTART;VALUE=DATE:20260817\r
    SUMMARY;LANGUAGE=id:Hari Proklamasi Kemerdekaan Republik Indonesia yang ke-\r
     81\r
    BEGIN:VALARM\r
    ACTION:DISPLAY\r
    DESCRIPTION:Pengingat\r
    TRIGGER:-P1D\r
    END:VALARM\r
    END:VEVENT\r
    BEGIN:VEVENT\r
    DTSTART:20261224\r
    DURATION:P2D\r
    SUMMARY:Natal\\nCuti Bersama\r
    END:VEVENT\r
    BEGIN:VEVENT\r
    DTSTART;VALUE=DATE:20260101\r
    SUMMARY:Dibatalkan\r
    STATUS:CANCELLED\r
    END:VEVENT\r
    END:VCALENDAR\r

    """

    @Test("all-day events: DTEND is exclusive, DURATION in days, folded lines, escaped text, a kind from CATEGORIES")
    func events() throws {
        #expect(HolidayImport.format(of: Self.calendar) == .iCalendar)
        let entries = try HolidayImport.parse(Self.calendar)
        #expect(entries == [
            HolidayEntry(date: date("2026-03-18"), name: "Cuti Bersama Idul Fitri, 1447 H", kind: .cuti_bersama, line: 6),
            HolidayEntry(date: date("2026-03-19"), name: "Cuti Bersama Idul Fitri, 1447 H", kind: .cuti_bersama, line: 6),
            HolidayEntry(date: date("2026-03-20"), name: "Cuti Bersama Idul Fitri, 1447 H", kind: .cuti_bersama, line: 6),
            HolidayEntry(date: date("2026-08-17"), name: "Hari Proklamasi Kemerdekaan Republik Indonesia yang ke-81", kind: nil, line: 13),
            HolidayEntry(date: date("2026-12-24"), name: "Natal Cuti Bersama", kind: nil, line: 23),
            HolidayEntry(date: date("2026-12-25"), name: "Natal Cuti Bersama", kind: nil, line: 23),
        ])
    }

    @Test("LF line ends and a tab as the folding character work too")
    func lenientLineEnds() throws {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260501\nSUMMARY:Hari\n\t Buruh\nEND:VEVENT\nEND:VCALENDAR\n"
        #expect(try HolidayImport.parse(text) == [HolidayEntry(date: date("2026-05-01"), name: "Hari Buruh", kind: nil, line: 3)])
    }

    @Test("timed, recurring, backwards and overlong events, a missing start or name, and a broken structure are refused by line")
    func problems() {
        let text = """
        BEGIN:VCALENDAR
        BEGIN:VEVENT
        DTSTART:20260101T090000Z
        SUMMARY:Rapat
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20260105
        RRULE:FREQ=YEARLY
        SUMMARY:Tiap tahun
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20260110
        DTEND;VALUE=DATE:20260110
        SUMMARY:Nol hari
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20260201
        DTEND;VALUE=DATE:20260401
        SUMMARY:Dua bulan
        END:VEVENT
        BEGIN:VEVENT
        SUMMARY:Tanpa tanggal
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20260501
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20260502
        DURATION:PT8H
        SUMMARY:Setengah hari
        END:VEVENT
        baris tanpa titik dua
        END:VTODO
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20261301
        SUMMARY:Bulan ketiga belas
        """
        #expect(refusal(text) == [
            HolidayImportError(line: 3, .notAllDay("20260101T090000Z")),
            HolidayImportError(line: 8, .recurring),
            HolidayImportError(line: 13, .endNotAfterStart),
            HolidayImportError(line: 17, .spanTooLong(days: 59)),
            HolidayImportError(line: 21, .missingStart),
            HolidayImportError(line: 24, .missingName),
            HolidayImportError(line: 29, .badDuration("PT8H")),
            HolidayImportError(line: 32, .malformedLine),
            HolidayImportError(line: 33, .unexpectedEnd("VTODO")),
            // The file ends inside an event and inside the calendar: both are named at their BEGIN.
            HolidayImportError(line: 1, .unclosed("VCALENDAR")),
            HolidayImportError(line: 34, .unclosed("VEVENT")),
        ].sorted { $0.line < $1.line })
    }

    @Test("a calendar that begins with something else is not a calendar; one with no event has no holiday")
    func notACalendar() {
        #expect(refusal("BEGIN:VCALENDAR\nEND:VCALENDAR\n") == [HolidayImportError(line: 1, .empty)])
        #expect(HolidayImport.parseICalendar("BEGIN:VEVENT\nEND:VEVENT\n").1 == [HolidayImportError(line: 1, .notCalendar)])
    }

    @Test("the same day from two events is a duplicate, named with the first line")
    func overlap() {
        let text = """
        BEGIN:VCALENDAR
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20260318
        DTEND;VALUE=DATE:20260320
        SUMMARY:Cuti Bersama
        END:VEVENT
        BEGIN:VEVENT
        DTSTART;VALUE=DATE:20260319
        SUMMARY:Idul Fitri
        END:VEVENT
        END:VCALENDAR
        """
        #expect(refusal(text) == [HolidayImportError(line: 8, .duplicateDate(date("2026-03-19"), firstLine: 3))])
    }
}
