import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

// The officer's import/export page (/petugas/impor-ekspor): LaporImport and ComplaintExport behind a form.

private func signedIn(_ app: Application, _ username: String) async throws -> Browser {
    let browser = Browser(app)
    try await browser.get("/petugas/masuk")
    let (status, body, _) = try await browser.post("/petugas/masuk", ["username": username, "password": "password-\(username)"])
    #expect(status == .seeOther, "\(body.prefix(300))")
    return browser
}

extension Browser {
    /// A multipart form with fields and one file, as a browser sends the import form.
    func postFile(_ path: String, fields: [String: String], filename: String, _ data: Data) async throws -> (HTTPStatus, String) {
        let boundary = "aduan-interop-boundary"
        var body = Data()
        for (name, value) in fields.merging(["_csrf": token], uniquingKeysWith: { a, _ in a }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        var jar = HTTPCookies()
        for (name, value) in cookies { jar[name] = .init(string: value) }
        var headers: HTTPHeaders = ["content-type": "multipart/form-data; boundary=\(boundary)"]
        headers.cookie = jar
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(.POST, path, headers: headers, body: ByteBuffer(data: body), afterResponse: { res in
            out = (res.status, res.body.string)
        })
        return out
    }
}

@Suite("Officer import/export page", .serialized)
struct InteropPageTests {
    let now = Date(timeIntervalSince1970: 1_775_005_200) // 2026-04-01 09:00 WITA, as LaporImportTests

    @Test("a coordinator imports a LAPOR export: N created; the same file again: all already present; bad rows listed by line, nothing written")
    func importThroughThePage() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let browser = try await signedIn(app, "koord")
            var (status, page) = try await browser.get("/petugas/impor-ekspor")
            #expect(status == .ok && page.contains(#"action="/petugas/impor-ekspor/lapor""#) && page.contains(#"href="/petugas/impor-ekspor""#))
            #expect(page.contains(#"href="/petugas/ekspor/aduan.csv""#) && page.contains(#"href="/petugas/ekspor/aduan.xlsx""#))

            let csv = try LaporImportTests.fixture("lapor-export.csv")
            (status, page) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63"], filename: "ekspor.csv", csv)
            #expect(status == .ok && page.contains("7 dibuat, 0 sudah ada, 0 mendapat unit, 0 ditolak."), "\(page.prefix(500))")
            #expect(page.contains("4417021"))
            #expect(try await Complaint.query(on: app.db).count() == 7)
            (status, page) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63"], filename: "ekspor.xlsx",
                                                        try LaporImportTests.fixture("lapor-export.xlsx"))
            #expect(status == .ok && page.contains("0 dibuat, 7 sudah ada, 0 mendapat unit, 0 ditolak."))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "lapor_import").count() == 2)

            let bad = try LaporImportTests.fixture("lapor-export-bad.csv")
            (status, page) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63"], filename: "buruk.csv", bad)
            #expect(status == .unprocessableEntity && page.contains("Tidak ada yang diimpor: 1 baris ditolak"))
            #expect(page.contains("<td>5</td>") && page.contains("Tidak ada nomor LAPOR!"))
            #expect(try await Complaint.query(on: app.db).count() == 7)
            (status, page) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63", "partial": "1"], filename: "buruk.csv", bad)
            #expect(status == .ok && page.contains("5 dibuat, 0 sudah ada, 0 mendapat unit, 1 ditolak."))

            // No file, a jurisdiction not theirs, no form token: refused, nothing written.
            (status, page) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63"], filename: "", Data())
            #expect(status == .unprocessableEntity && page.contains("Pilih file ekspor"))
            (status, _) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63.71"], filename: "e.csv", csv)
            #expect(status == .forbidden)
            browser.token = "forged"
            (status, _) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63"], filename: "e.csv", csv)
            #expect(status == .forbidden)
            #expect(try await Complaint.query(on: app.db).count() == 12)
        }
    }

    @Test("check first: the counts and the agencies without a unit, nothing written; the agencies page saves an alias; re-import applies it")
    func checkAndAgencies() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let browser = try await signedIn(app, "koord")
            let file = try LaporImportTests.fixture("lapor-ringkas.xlsx")
            var (status, page) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63", "mode": "check"],
                                                            filename: "ringkas.xlsx", file)
            #expect(status == .ok && page.contains("Pemeriksaan 6 baris: 6 akan dibuat, 0 sudah ada, 0 akan mendapat unit, 0 ditolak."), "\(page.prefix(600))")
            #expect(page.contains(#"id="import-unmapped""#) && page.contains("Dinas PU Prov. Kalsel"))
            #expect(page.contains("Ekspor dari: Pemerintah Provinsi Kalimantan Selatan"))
            #expect(page.contains("Rahasia (tidak pernah publik)") && page.contains("Status Laporan: \u{201C}Sedang Dipikirkan\u{201D}"))
            #expect(try await Complaint.query(on: app.db).count() == 0)
            (status, page) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63", "mode": "import"],
                                                        filename: "ringkas.xlsx", file)
            #expect(status == .ok && page.contains("6 dibuat, 0 sudah ada, 0 mendapat unit, 0 ditolak."))

            (status, page) = try await browser.get("/petugas/impor-ekspor/instansi?jurisdiction=63")
            #expect(status == .ok && page.contains("Dinas PU Prov. Kalsel") && page.contains(#"id="agencies-unmapped""#))
            let (saved, _, location) = try await browser.post("/petugas/impor-ekspor/instansi", ["jurisdiction": "63", "alias": "Dinas PU Prov. Kalsel",
                                                                                                "unit": "63/dpupr"])
            #expect(saved == .seeOther && location == "/petugas/impor-ekspor/instansi?jurisdiction=63&selesai=simpan")
            (status, page) = try await browser.get("/petugas/impor-ekspor/instansi?jurisdiction=63&selesai=simpan")
            #expect(page.contains(#"id="agencies-none""#) && page.contains(#"id="agencies-saved""#) && page.contains("Alias disimpan."))
            // The same name again: taken, nothing written. An unknown unit: refused.
            (status, page, _) = try await browser.post("/petugas/impor-ekspor/instansi", ["jurisdiction": "63", "alias": "DINAS PU PROV KALSEL", "unit": "63/dishub"])
            #expect(status == .unprocessableEntity && page.contains("Nama itu sudah berarti unit Dinas Pekerjaan Umum dan Penataan Ruang."))
            (status, _, _) = try await browser.post("/petugas/impor-ekspor/instansi", ["jurisdiction": "63", "alias": "Dinas Baru", "unit": "63.71/dinkes"])
            #expect(status == .unprocessableEntity)
            #expect(try await UnitAlias.query(on: app.db).count() == 1)

            (status, page) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63", "mode": "import"],
                                                        filename: "ringkas.csv", try LaporImportTests.fixture("lapor-ringkas.csv"))
            #expect(status == .ok && page.contains("0 dibuat, 6 sudah ada, 2 mendapat unit, 0 ditolak."))
            #expect(try await Complaint.query(on: app.db).filter(\.$laporID == "6100002").first()?.unitID == "63/dpupr")

            // A coordinator of another jurisdiction neither sees nor changes this one's aliases; a liaison has no page.
            _ = try await app.createOfficer("koord.kota", .coordinator, "63.71")
            let other = try await signedIn(app, "koord.kota")
            #expect(try await other.get("/petugas/impor-ekspor/instansi?jurisdiction=63").0 == .forbidden)
            let alias = try #require(try await UnitAlias.query(on: app.db).first())
            #expect(try await other.post("/petugas/impor-ekspor/instansi/hapus", ["id": "\(alias.id!)"]).0 == .forbidden)
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            #expect(try await signedIn(app, "dinkes").get("/petugas/impor-ekspor/instansi").0 == .forbidden)
            // Its coordinator deletes it.
            #expect(try await browser.post("/petugas/impor-ekspor/instansi/hapus", ["id": "\(alias.id!)"]).0 == .seeOther)
            #expect(try await UnitAlias.query(on: app.db).count() == 0)
        }
    }

    @Test("a liaison sees only the export, downloads what their scope allows with the session, and cannot import")
    func exportOnly() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let mine = try await app.submit(["title": "Antrean puskesmas panjang"])
            _ = try await app.act(coordinator, mine.tracking_id, "verify", ["unit": "63/dinkes"])
            let other = try await app.submit(["title": "Jalan rusak"])
            let browser = try await signedIn(app, "dinkes")
            var (status, page) = try await browser.get("/petugas/impor-ekspor")
            #expect(status == .ok && !page.contains(#"action="/petugas/impor-ekspor/lapor""#) && page.contains("aduan.csv"))
            (status, page) = try await browser.get("/petugas/ekspor/aduan.csv")
            #expect(status == .ok && page.contains(mine.tracking_id) && !page.contains(other.tracking_id))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export").count() == 1)
            (status, _) = try await browser.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63"], filename: "e.csv",
                                                     try LaporImportTests.fixture("lapor-export.csv"))
            #expect(status == .forbidden)
            #expect(try await Complaint.query(on: app.db).count() == 2)
            // Signed out: to the sign-in page.
            #expect(try await Browser(app).get("/petugas/impor-ekspor").0 == .seeOther)
        }
    }
}
