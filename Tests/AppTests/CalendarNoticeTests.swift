import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import App

// Issue 19, fix 11: from October, until next year's national holidays are loaded, the sysadmin's home and the
// coordinators' page say so; a due that falls in a year without a loaded list is marked provisional where it is shown
// (officer queue, complaint page, tracking page, API); loading the list recomputes no stored due (SPEC §5) but lists
// the open stages whose due passed one of its holidays. The seed ships 2026 only, as ../shared/data/id-holidays.csv.

@Suite("Calendar notice: next year's national holidays")
struct CalendarNoticeTests {
    /// Monday 7 December 2026, 10:00 WITA.
    static let december7 = Date(timeIntervalSince1970: 1_796_608_800)

    @Test("in December 2026 without 2027's list: the warning, provisional dues in 2027, none recomputed once loaded, those listed")
    func december() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            _ = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            app.clock.set(Self.december7)
            #expect(try await ReferenceData.load(on: app.db).coverage.loadedYears == [2026])

            let adminBefore = try await Browser.officer(app, "admin")
            let (_, adminHome) = try await adminBefore.get("/petugas/admin")
            #expect(adminHome.contains("Hari libur nasional tahun 2027 belum dimuat"), "\(adminHome.prefix(1500))")
            #expect(adminHome.contains("/petugas/admin/kalender/nasional?tahun=2027"))
            #expect(adminHome.contains("Muat daftar libur nasional 2027"))
            #expect(!adminHome.contains("Tenggat untuk ditinjau"))
            let koordBefore = try await Browser.officer(app, "koord")
            let (_, koordHome) = try await koordBefore.get("/petugas")
            #expect(koordHome.contains("Hari libur nasional tahun 2027 belum dimuat"))
            let (_, koordHomeEn) = try await koordBefore.get("/petugas?lang=en")
            #expect(koordHomeEn.contains("The national holidays of 2027 are not loaded yet"))
            let liaisonBefore = try await Browser.officer(app, "dinkes")
            #expect(!(try await liaisonBefore.get("/petugas").1.contains("belum dimuat")), "only coordinators are told")

            // Verified on Thursday 24 December: the next due (counted without 2027's list) falls in 2027, provisional.
            let c = try await app.submit(["title": "Jembatan gantung rusak"])
            app.clock.set(Self.december7.addingTimeInterval(17 * 86_400))
            // Seventeen days on, sessions and tokens have lapsed: everyone signs in again.
            let koordToken = try await app.login("koord")
            let admin = try await Browser.officer(app, "admin")
            let koord = try await Browser.officer(app, "koord")
            let liaison = try await Browser.officer(app, "dinkes")
            #expect(try await app.act(koordToken, c.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .ok)
            let stored = try #require(try await Complaint.query(on: app.db).filter(\.$trackingID == c.tracking_id).first())
            let due = try #require(stored.officerDue)
            let calendar = WorkingCalendar(timeZone: WorkingCalendar.wita)
            #expect(calendar.localDate(of: due).year == 2027)
            let (_, casePage) = try await koord.get("/petugas/aduan/\(c.tracking_id)")
            #expect(casePage.contains("(sementara: libur nasional 2027 belum dimuat)"))
            let (_, queue) = try await liaison.get("/petugas")
            #expect(queue.contains("(sementara: libur nasional 2027 belum dimuat)"), "the unit's queue")
            let (_, tracking) = try await app.get("/t/\(c.tracking_id)")
            #expect(tracking.contains("(sementara: libur nasional 2027 belum dimuat)"))
            let (_, trackingEn) = try await app.get("/t/\(c.tracking_id)?lang=en")
            #expect(trackingEn.contains("(provisional: the national holidays of 2027 are not loaded)"))
            let (_, api) = try await app.get("/api/v1/complaints/\(c.tracking_id)", token: koordToken)
            #expect(api.contains("\"due_provisional\":true"), "\(api.prefix(600))")

            // The 2027 list arrives (1 January, a Friday, suffices here): the warning goes, nothing stored is
            // recomputed, the marks go, and the stage whose due passed 1 January is listed for review.
            try await Holiday(jurisdictionCode: nil, date: "2027-01-01", name: "Tahun Baru 2027 Masehi", kind: "libur_nasional").create(on: app.db)
            app.reference.invalidate()
            let (_, after) = try await admin.get("/petugas/admin")
            #expect(!after.contains("belum dimuat"))
            #expect(after.contains("Tenggat untuk ditinjau"), "\(after.prefix(2000))")
            #expect(after.contains(c.tracking_id))
            let again = try #require(try await Complaint.query(on: app.db).filter(\.$trackingID == c.tracking_id).first())
            #expect(again.officerDue == due, "a stored due is never recomputed (SPEC §5)")
            #expect(!(try await app.get("/t/\(c.tracking_id)").1.contains("sementara")))
            #expect(try await app.get("/api/v1/complaints/\(c.tracking_id)", token: koordToken).1.contains("\"due_provisional\":false"))
            #expect(!(try await koord.get("/petugas").1.contains("belum dimuat")))
        }
    }

    @Test("in September the next year is not asked for yet")
    func september() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            // Wednesday 30 September 2026, 10:00 WITA.
            app.clock.set(Date(timeIntervalSince1970: 1_790_733_600))
            let admin = try await Browser.officer(app, "admin")
            #expect(!(try await admin.get("/petugas/admin").1.contains("belum dimuat")))
        }
    }
}
