import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

/// The layout SP4N-LAPOR! writes today ("Laporan Ringkas", issue 15), from the small fixtures written by
/// Fixtures/make_fixtures.py: a title block, the columns in another order and case, Indonesian month names, every kind
/// of status, flag, classification and source. What each row must become is written out here from docs/interop.md's
/// mapping table (SPEC §3, §4), row by row.
@Suite("SP4N-LAPOR! import: the Laporan Ringkas layout", .serialized)
struct LaporRingkasTests {
    let now = Date(timeIntervalSince1970: 1_775_005_200) // 2026-04-01 09:00 WITA
    static func fixture(_ name: String) throws -> Data { try LaporImportTests.fixture(name) }

    func run(_ app: Application, _ name: String, partial: Bool = false, dryRun: Bool = false) async throws -> LaporImportReport {
        try await LaporImport.run(try Self.fixture(name), jurisdiction: "63", partial: partial, dryRun: dryRun, actorRole: "coordinator",
                                  actorID: "koord", app: app)
    }

    func complaint(_ app: Application, _ laporID: String) async throws -> Complaint {
        try #require(try await Complaint.query(on: app.db).filter(\.$laporID == laporID).first())
    }

    func utc(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @Test("every row becomes what the mapping table says, from CSV, from the workbook and from the workbook saved again by LibreOffice",
          arguments: ["lapor-ringkas.csv", "lapor-ringkas.xlsx", "lapor-ringkas-calc.xlsx"])
    func mapping(file: String) async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            let report = try await run(app, file)
            #expect(report.applied && report.created == 6 && report.rejected.isEmpty && report.repeated.isEmpty, "\(report.summary)")
            #expect(report.rows == 6)
            #expect(report.source_instansi == "Pemerintah Provinsi Kalimantan Selatan" && report.source_period == "(2024-01-01) - (2024-09-30)")
            #expect(report.missing_columns.isEmpty)
            #expect(report.by_state == ["selesai": 1, "diarsipkan": 3, "baru": 2])
            #expect(report.by_type == ["pengaduan": 4, "aspirasi": 1, "permintaan_informasi": 1])
            #expect(report.by_channel == ["web": 1, "api": 1, "sms": 1, "officer": 2, "lapor_import": 1])
            #expect(report.by_archive_reason == ["lainnya": 1, "spam": 1, "tidak_lengkap": 1])
            #expect(report.anonymous == 2 && report.confidential == 2 && report.supervision == 1)
            #expect(report.instansi_mapped == 3 && report.instansi_unmapped == 2 && report.instansi_empty == 1)
            #expect(report.unmappedInstansi == [.init(name: "Dinas PU Prov. Kalsel", count: 2, unit: nil)])
            #expect(Set(report.unknown_values.map { "\($0.column)=\($0.value)" }) == ["Status Laporan=Sedang Dipikirkan", "Sumber Laporan=Merpati Pos"])

            // 3 Agu 2024, 10.22 WITA; closed by the system; Rahasia; the dispositioned agency is its handling unit.
            let first = try await complaint(app, "6100001")
            #expect(first.state == "selesai" && first.unitID == "63/dinkes" && first.targetUnitID == nil && first.dispositionCount == 0)
            #expect(first.submittedAt == utc("2024-08-03T02:22:00Z"))
            #expect(first.confidential && !first.anonymous && first.supervision && first.channel == "web" && first.type == "pengaduan")
            #expect(first.title == "Antrean RSUD panjang" && first.body == "Antrean poli penyakit dalam sejak subuh, baru dilayani siang.")
            // Archived by the admin with LAPOR's sentence that names every criterion at once: lainnya.
            let second = try await complaint(app, "6100002")
            #expect(second.state == "diarsipkan" && second.archiveReason == "lainnya" && second.anonymous && second.confidential)
            #expect(second.channel == "api" && second.unitID == nil && second.laporInstansi == "Dinas PU Prov. Kalsel" && !second.supervision)
            let blocked = try await complaint(app, "6100003")
            #expect(blocked.state == "diarsipkan" && blocked.archiveReason == "spam" && blocked.channel == "sms" && blocked.laporInstansi == nil)
            // Waiting for information in LAPOR: at baru here, in the coordinator's queue with a clock.
            let waiting = try await complaint(app, "6100004")
            #expect(waiting.state == "baru" && waiting.type == "aspirasi" && waiting.channel == "officer" && waiting.verificationDue != nil)
            #expect(waiting.submittedAt == utc("2024-09-12T05:00:00Z"))
            let unknown = try await complaint(app, "6100005")
            #expect(unknown.state == "baru" && unknown.channel == "lapor_import" && unknown.targetUnitID == "63/dlh")
            #expect(unknown.submittedAt == utc("2024-05-13T23:00:00Z"))  // 14 Mei 2024 07:00 WITA
            let untitled = try await complaint(app, "6100006")
            #expect(untitled.state == "diarsipkan" && untitled.archiveReason == "tidak_lengkap" && untitled.type == "permintaan_informasi")
            #expect(untitled.title.hasPrefix("Jadwal vaksin anak di puskesmas kapan ya") && untitled.title.hasSuffix("…"))
            #expect(untitled.unitID == "63/dinkes" && untitled.channel == "officer")
            #expect(untitled.submittedAt == utc("2024-09-02T08:05:34Z"))  // Senin, 2 Sep 2024, 4:05:34 PM WITA

            // The submit event keeps LAPOR's words; the officer medium too.
            let event = try #require(try await Event.query(on: app.db).filter(\.$complaintID == waiting.id!).first())
            #expect(event.dataDictionary["medium"] == "phone" && event.dataDictionary["lapor_source"] == "Hotline Service")
            #expect(event.dataDictionary["lapor_status"] == "Menunggu Kelengkapan Informasi")
            #expect(event.internalText?.contains("asal pelapor \u{201C}Kabupaten Banjar, Kalimantan Selatan\u{201D}") == true)
            #expect(try await OutboxMessage.query(on: app.db).count() == 0)
            let problems = try await AuditVerifier.verify(app).problems
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("edge rows: without a number or without text rejected by line in Indonesian; a repeated number skipped")
    func edges() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            let refused = try await run(app, "lapor-ringkas-edge.csv")
            #expect(!refused.applied && refused.created == 0)
            #expect(refused.rejected.map(\.line) == [14, 15] && refused.rejected.map(\.code) == ["no_number", "no_text"])
            #expect(refused.rejected[1].lapor_id == "6100009")
            #expect(refused.rejected[1].reason == "Tidak ada teks laporan (\u{201C}Judul Laporan\u{201D} dan \u{201C}Isi Laporan\u{201D} kosong).")
            #expect(refused.repeated == [.init(line: 16, lapor_id: "6100001", first_line: 12)])
            #expect(try await Complaint.query(on: app.db).count() == 0)
            let partial = try await run(app, "lapor-ringkas-edge.csv", partial: true)
            #expect(partial.applied && partial.created == 2)
            #expect(try await complaint(app, "6100001").title == "Antrean RSUD panjang")   // the first row with the number wins
        }
    }

    @Test("an export without most columns is read with what it has, and says which columns were missing; no flag column means confidential")
    func missingColumns() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            let report = try await run(app, "lapor-missing-columns.csv")
            #expect(report.applied && report.created == 2)
            #expect(report.missing_columns == ["Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Klasifikasi Laporan", "Kategori", "Judul Laporan",
                                               "Tipe Laporan (Anonim/Rahasia)", "Sumber Laporan", "Instansi Terdisposisi", "Status Laporan",
                                               "Alasan Tunda/Arsip"])
            let c = try await complaint(app, "6200001")
            #expect(c.confidential && c.state == "baru" && c.submittedAt == now && c.title == "Hanya nomor dan isi.")
        }
    }

    @Test("a dry run counts what an import would do and writes nothing; the import then does exactly that")
    func dryRun() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            let events = try await Event.query(on: app.db).count()
            let check = try await run(app, "lapor-ringkas.csv", dryRun: true)
            #expect(check.dry_run && !check.applied && check.created == 6 && check.already_present == 0 && check.complaints.isEmpty)
            #expect(try await Complaint.query(on: app.db).count() == 0)
            #expect(try await Event.query(on: app.db).count() == events)
            let done = try await run(app, "lapor-ringkas.csv")
            #expect(done.created == check.created && done.by_state == check.by_state && done.by_channel == check.by_channel)
            #expect(done.instansi == check.instansi && done.unknown_values == check.unknown_values)
            let again = try await run(app, "lapor-ringkas.xlsx", dryRun: true)
            #expect(again.created == 0 && again.already_present == 6)
        }
    }

    @Test("agencies that match no unit are listed with their counts; an alias saved for one reaches imported complaints on re-import, once")
    func aliases() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            _ = try await run(app, "lapor-ringkas.csv")
            let reference = try await app.reference.get(on: app.db)
            #expect(try await LaporImport.unmappedInstansi(jurisdiction: "63", reference: reference, on: app.db)
                    == [.init(name: "Dinas PU Prov. Kalsel", count: 2, unit: nil)])
            #expect(try await OrgAdmin.saveAlias(app, actor: "koord", jurisdiction: "63", alias: "Dinas PU Prov. Kalsel", unit: "63/dpupr") == .saved)
            // The same name again, or another unit's own name, is taken.
            #expect(try await OrgAdmin.saveAlias(app, actor: "koord", jurisdiction: "63", alias: "dinas pu prov kalsel", unit: "63/dishub") == .taken(unit: "63/dpupr"))
            #expect(try await OrgAdmin.saveAlias(app, actor: "koord", jurisdiction: "63", alias: "Dinas Kesehatan", unit: "63/dishub") == .taken(unit: "63/dinkes"))
            #expect(try await LaporImport.unmappedInstansi(jurisdiction: "63", reference: reference, on: app.db).isEmpty)

            let complaints = try await Complaint.query(on: app.db).count()
            let check = try await run(app, "lapor-ringkas.csv", dryRun: true)
            #expect(check.units_updated == 2 && check.created == 0 && check.unmappedInstansi.isEmpty)
            let again = try await run(app, "lapor-ringkas.xlsx")
            #expect(again.created == 0 && again.already_present == 6 && again.units_updated == 2)
            #expect(try await Complaint.query(on: app.db).count() == complaints)
            // The archived complaint keeps the agency as its handling unit; the open one gets it as its target.
            let archived = try await complaint(app, "6100002")
            #expect(archived.unitID == "63/dpupr" && archived.state == "diarsipkan" && archived.eventCount == 2)
            let open = try await complaint(app, "6100004")
            #expect(open.targetUnitID == "63/dpupr" && open.unitID == nil && open.state == "baru")
            let update = try #require(try await Event.query(on: app.db).filter(\.$complaintID == archived.id!).filter(\.$seq == 2).first())
            #expect(update.action == "external_update" && update.unitID == "63/dpupr" && !update.isPublic)
            #expect(update.dataDictionary["lapor_instansi"] == "Dinas PU Prov. Kalsel")
            // Once: importing again changes nothing.
            let third = try await run(app, "lapor-ringkas-calc.xlsx")
            #expect(third.created == 0 && third.units_updated == 0)
            #expect(try await complaint(app, "6100002").eventCount == 2)
            let problems = try await AuditVerifier.verify(app).problems
            #expect(problems.isEmpty, "\(problems)")
        }
    }
}
