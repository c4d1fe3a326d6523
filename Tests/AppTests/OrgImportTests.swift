import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// Loading the organisation from CSV (SPEC §6, §12 `aduan org import FILE.csv [--dry-run]`): a kabupaten loads its
/// OPD list, and its coordinator can then disposition to those units. All or nothing, errors by line, idempotent.
@Suite("Organisation CSV import", .serialized)
struct OrgImportTests {
    /// Kabupaten Banjar's agencies (names as a Diskominfo admin would write them), one sub-unit, LAPOR's spellings as aliases.
    static let banjar = """
    jurisdiction,slug,name,kind,parent,aliases
    63.03,dinkes,Dinas Kesehatan Kabupaten Banjar,agency,,Dinkes Kab. Banjar|DINAS KESEHATAN KAB BANJAR
    63.03,rsud-ratu-zalecha,RSUD Ratu Zalecha,subunit,dinkes,
    63.03,dpupr,Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Banjar,agency,,Dinas PUPR Kab. Banjar
    63.03,disdik,Dinas Pendidikan Kabupaten Banjar,agency,,
    63.03,kec-martapura,Kecamatan Martapura,agency,,
    63.03,inspektorat,Inspektorat Kabupaten Banjar,inspectorate,,Inspektorat Daerah Kab. Banjar
    """

    func load(_ app: Application, _ csv: String, dryRun: Bool = false) async throws -> OrgAdmin.UnitImport {
        try await OrgAdmin.importUnits(app, actor: "admin", data: Data(csv.utf8), filename: "banjar.csv", dryRun: dryRun)
    }

    func units(_ app: Application) async throws -> Int { try await OrgUnit.query(on: app.db).count() }

    @Test("a dry run shows the changes and writes nothing; loading creates the units; the same file again changes nothing")
    func createAndIdempotent() async throws {
        try await TestHarness.withApp { app in
            let before = try await units(app)
            let check = try await load(app, Self.banjar, dryRun: true)
            let plan = try #require(check.plan)
            #expect(!check.applied && check.errors.isEmpty)
            #expect(plan.creates.map(\.unit) == ["63.03/dinkes", "63.03/dpupr", "63.03/disdik", "63.03/kec-martapura", "63.03/rsud-ratu-zalecha"])
            #expect(plan.aliases.count == 4 && plan.updates.isEmpty && plan.unchanged == 0)
            #expect(try await units(app) == before)
            #expect(try await UnitAlias.query(on: app.db).count() == 0)

            let loaded = try await load(app, Self.banjar)
            #expect(loaded.applied && loaded.plan == plan)
            #expect(try await units(app) == before + 5)
            let hospital = try #require(try await OrgUnit.find("63.03/rsud-ratu-zalecha", on: app.db))
            #expect(hospital.kind == "subunit" && hospital.parentID == "63.03/dinkes" && hospital.active)
            #expect(try await UnitAlias.query(on: app.db).filter(\.$unitID == "63.03/dinkes").count() == 2)
            let reference = try await app.reference.get(on: app.db)
            #expect(reference.tree.units["63.03/dpupr"]?.name == "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Banjar")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "org_import").count() == 1)

            let again = try await load(app, Self.banjar)
            #expect(!again.applied && again.plan?.isEmpty == true && again.plan?.unchanged == 6)
            #expect(try await units(app) == before + 5)
            #expect(try await UnitAlias.query(on: app.db).count() == 4)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "org_import").count() == 1)
        }
    }

    @Test("a later file renames, moves a sub-unit and adds aliases; it never removes anything")
    func update() async throws {
        try await TestHarness.withApp { app in
            _ = try await load(app, Self.banjar)
            let later = """
            jurisdiction,slug,name,kind,parent,aliases
            63.03,dinkes,Dinas Kesehatan,agency,,Dinkes Banjar
            63.03,rsud-ratu-zalecha,RSUD Ratu Zalecha Martapura,subunit,dpupr,
            """
            let result = try await load(app, later)
            let plan = try #require(result.plan)
            #expect(result.applied && plan.updates.map(\.unit) == ["63.03/dinkes", "63.03/rsud-ratu-zalecha"])
            #expect(plan.updates[0].oldName == "Dinas Kesehatan Kabupaten Banjar" && plan.aliases.map(\.alias) == ["Dinkes Banjar"])
            #expect(try await OrgUnit.find("63.03/dinkes", on: app.db)?.name == "Dinas Kesehatan")
            #expect(try await OrgUnit.find("63.03/rsud-ratu-zalecha", on: app.db)?.parentID == "63.03/dpupr")
            #expect(try await UnitAlias.query(on: app.db).filter(\.$unitID == "63.03/dinkes").count() == 3)
            #expect(try await OrgUnit.find("63.03/disdik", on: app.db) != nil)
        }
    }

    @Test("bad lines are each reported by number, in Indonesian, and nothing is written")
    func badLines() async throws {
        try await TestHarness.withApp { app in
            let before = try await units(app)
            let csv = """
            jurisdiction,slug,name,kind,parent
            63.03,dinkes,Dinas Kesehatan Kabupaten Banjar,agency,
            63.99,dinas,Dinas Entah,agency,
            63.03,dinkes,Dinas Kesehatan lagi,agency,
            63.03,upt,UPT Alat Berat,subunit,tidak-ada
            63.03,bappeda,Bappeda,kantor,
            63.03,diskominfo2,Diskominfo Kedua,coordinator,
            """
            let result = try await load(app, csv)
            #expect(result.plan == nil && !result.applied)
            #expect(result.errors.map(\.line) == [3, 4, 5, 6, 7])
            #expect(result.errors.map(\.problem) == [.badJurisdiction, .duplicateSlug, .unknownParent, .badKind, .kindTaken])
            let text = result.errors.map { OrgAdmin.describe($0, catalog: app.catalog, language: .id) }
            #expect(text[0] == "Baris 3: wilayah \u{201C}63.99\u{201D} tidak dikenal")
            #expect(text[3] == "Baris 6: jenis \u{201C}kantor\u{201D} tidak dikenal (coordinator, inspectorate, agency, subunit)")
            #expect(try await units(app) == before)
            #expect(try await UnitAlias.query(on: app.db).count() == 0)

            let header = try await load(app, "yurisdiksi,slug,nama\n63.03,x,X")
            #expect(header.errors == [.init(line: 1, problem: .header, value: "jurisdiction, name, kind")])
        }
    }

    @Test("a kabupaten loads its OPD list and its coordinator dispositions a complaint to one of those units")
    func kabupatenDispositions() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord.banjar", .coordinator, "63.03")
            let complaint = try await app.submit(["jurisdiction": "63.03", "title": "Puskesmas tutup", "body": "Puskesmas Martapura tutup pada jam pelayanan."])
            // Before: the kabupaten has only Diskominfo and the Inspektorat.
            #expect(try await app.act(coordinator, complaint.tracking_id, "verify", ["unit": "63.03/dinkes"]).0 == .unprocessableEntity)
            _ = try await load(app, Self.banjar)
            let (status, body) = try await app.act(coordinator, complaint.tracking_id, "verify", ["unit": "63.03/dinkes"])
            #expect(status == .ok, "\(body)")
            let stored = try await app.complaint(complaint.tracking_id)
            #expect(stored.state == "didisposisikan" && stored.unitID == "63.03/dinkes")
            // Its liaison can be created on the new unit.
            let liaison = try await app.createOfficer("dinkes.banjar", .liaison, "63.03/dinkes")
            #expect(try await app.act(liaison, complaint.tracking_id, "follow_up", ["text": "Petugas sudah ditegur."]).0 == .ok)
        }
    }

    @Test("aduan org import FILE [--dry-run]; aduan org from-lapor EXPORT writes a CSV that org import loads")
    func commands() async throws {
        try await TestHarness.withApp { app in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-org-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("banjar.csv")
            try Data(Self.banjar.utf8).write(to: file)
            let before = try await units(app)
            func run(_ arguments: [String]) async throws {
                var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["aduan"] + arguments))
                context.application = app
                try await OrgGroup().run(using: &context)
            }
            try await run(["import", file.path, "--dry-run"])
            #expect(try await units(app) == before)
            try await run(["import", file.path])
            #expect(try await units(app) == before + 5)
            let bad = dir.appendingPathComponent("bad.csv")
            try Data("jurisdiction,slug,name,kind\n99,x,X,agency\n".utf8).write(to: bad)
            await #expect(throws: CommandRefused.self) { try await run(["import", bad.path]) }

            // The organisation of the agencies a LAPOR export names (the fixture's: the province's own agencies and one more).
            let derived = dir.appendingPathComponent("from-lapor.csv")
            try await run(["from-lapor", LaporImportTests.fixtures.appendingPathComponent("lapor-ringkas.csv").path, "--jurisdiction", "63",
                           "--out", derived.path])
            let text = try String(contentsOf: derived, encoding: .utf8)
            #expect(text.hasPrefix("jurisdiction,slug,name,kind,parent,aliases\n"))
            #expect(text.contains("63,dinas-pu-prov-kalsel,Dinas PU Prov. Kalsel,agency,,\n"))
            #expect(text.contains("63,dinkes,Dinas Kesehatan,agency,,DINAS KESEHATAN PROVINSI KALIMANTAN SELATAN|Dinas Kesehatan Provinsi Kalimantan Selatan\n"))
            try await run(["import", derived.path])
            #expect(try await OrgUnit.find("63/dinas-pu-prov-kalsel", on: app.db)?.name == "Dinas PU Prov. Kalsel")
        }
    }

    @Test("the sysadmin's organisation page: check a CSV, then load it; outside their jurisdictions refused by line")
    func page() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("admin.banjar", .sysadmin, "63.03")
            let browser = try await Browser.officer(app, "admin.banjar")
            var (status, page) = try await browser.get("/petugas/admin/organisasi/63.03")
            #expect(status == .ok && page.contains(#"action="/petugas/admin/organisasi/63.03/impor""#))
            let before = try await units(app)
            var (code, body) = try await browser.postFile("/petugas/admin/organisasi/63.03/impor", fields: ["mode": "check"], filename: "banjar.csv",
                                                          Data(Self.banjar.utf8))
            #expect(code == .ok && body.contains("Pemeriksaan: 5 unit akan dibuat, 0 diubah, 4 alias ditambah, 0 tetap."), "\(body.prefix(400))")
            #expect(body.contains("Baris 3: unit baru 63.03/rsud-ratu-zalecha ("))
            #expect(try await units(app) == before)
            (code, body) = try await browser.postFile("/petugas/admin/organisasi/63.03/impor", fields: ["mode": "load"], filename: "banjar.csv",
                                                      Data(Self.banjar.utf8))
            #expect(code == .ok && body.contains("Dimuat: 5 unit dibuat") && body.contains("RSUD Ratu Zalecha"))
            #expect(body.contains("Alias: Dinkes Kab. Banjar · DINAS KESEHATAN KAB BANJAR") || body.contains("Alias: DINAS KESEHATAN KAB BANJAR · Dinkes Kab. Banjar"))
            #expect(try await units(app) == before + 5)
            (code, body) = try await browser.postFile("/petugas/admin/organisasi/63.03/impor", fields: ["mode": "load"], filename: "prov.csv",
                                                      Data("jurisdiction,slug,name,kind\n63,baru,Badan Baru,agency\n".utf8))
            #expect(code == .unprocessableEntity && body.contains("Baris 2: wilayah 63 di luar wewenang Anda"))
            (status, page) = try await browser.get("/petugas/admin/organisasi/63")
            #expect(status == .forbidden)
            #expect(try await units(app) == before + 5)
        }
    }
}
