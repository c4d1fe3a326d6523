import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
import ZIPFoundation
@testable import App

/// Import of SP4N-LAPOR! admin exports (Fixtures/, written by Fixtures/make_fixtures.py): CSV and XLSX read the
/// same, every row becomes one `submit` event, a second import changes nothing, bad rows change nothing.
// Serialized: each test holds a database (and on PostgreSQL a pool of connections); the whole suite in parallel
// with the others would exceed a default max_connections of 100.
@Suite("SP4N-LAPOR! import", .serialized)
struct LaporImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static func fixture(_ name: String) throws -> Data { try Data(contentsOf: fixtures.appendingPathComponent(name)) }
    let now = Date(timeIntervalSince1970: 1_775_005_200) // 2026-04-01 09:00 WITA

    func importFile(_ app: Application, _ name: String, partial: Bool = false, jurisdiction: String = "63") async throws -> LaporImportReport {
        try await LaporImport.run(try Self.fixture(name), jurisdiction: jurisdiction, partial: partial, actorRole: "coordinator",
                                  actorID: "koord", app: app)
    }

    func imported(_ app: Application, _ laporID: String) async throws -> Complaint {
        try #require(try await Complaint.query(on: app.db).filter(\.$laporID == laporID).first())
    }

    @Test("the CSV export becomes seven complaints: open ones at baru with a clock, finished ones finished, LAPOR's data kept")
    func csvImport() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            let report = try await importFile(app, "lapor-export.csv")
            #expect(report.applied && report.created == 7 && report.already_present == 0 && report.rejected.isEmpty)
            #expect(report.summary == "7 created, 0 already present, 0 rejected")
            #expect(report.complaints.map(\.line) == [2, 3, 4, 6, 7, 8, 9])

            let states = try await Complaint.query(on: app.db).filter(\.$channel == "lapor_import").all()
                .reduce(into: [String: String]()) { $0[$1.laporID!] = $1.state }
            #expect(states == ["4417021": "baru", "4417388": "baru", "4418102": "baru", "4419550": "selesai",
                               "4420001": "diarsipkan", "4420777": "baru", "4421234": "baru"])

            let first = try await imported(app, "4417021")
            #expect(first.title == "Antrean poli RSUD sangat panjang")
            #expect(first.submittedAt == ISO8601DateFormatter().date(from: "2025-03-03T08:15:00+08:00"))
            #expect(first.targetUnitID == "63/dinkes")
            #expect(first.categoryCode == "kesehatan")
            #expect(first.jurisdictionCode == "63")
            #expect(first.verificationDue != nil && first.dueAt != nil)
            #expect(first.eventCount == 1)
            #expect(!first.hasContact)

            let road = try await imported(app, "4417388")
            #expect(road.submittedAt == ISO8601DateFormatter().date(from: "2025-03-05T14:20:00+08:00")) // day first: 05/03/2025
            #expect(road.body.contains("\"terutama malam hari\""))
            #expect(road.targetUnitID == "63/dpupr")

            let bribe = try await imported(app, "4418102")
            #expect(bribe.anonymous && bribe.confidential)
            #expect(bribe.body.contains("\nKejadian di loket 3"))
            #expect(bribe.targetUnitID == nil)

            let flood = try await imported(app, "4419550")
            #expect(flood.closedAt == now && flood.officerDue == nil)
            #expect(flood.categoryCode == "infrastruktur.air")
            let archived = try await imported(app, "4420001")
            #expect(archived.archiveReason == "lainnya")
            // A finished complaint keeps the agency LAPOR dispositioned it to as its handling unit; no disposition is counted.
            #expect(archived.unitID == "63/dinsos" && archived.dispositionCount == 0 && archived.laporInstansi == "Dinas Sosial")
            #expect(first.laporInstansi == "Dinas Kesehatan Provinsi Kalimantan Selatan" && first.unitID == nil)

            // One submit event per complaint, with LAPOR's number, status and date, and the note
            let event = try #require(try await Event.query(on: app.db).filter(\.$complaintID == first.id!).first())
            #expect(event.action == "submit" && event.toState == "baru" && event.actorRole == "coordinator" && event.actorID == "koord")
            #expect(event.at == now)
            #expect(event.dataDictionary["lapor_id"] == "4417021")
            #expect(event.dataDictionary["lapor_status"] == "Belum Terverifikasi")
            #expect(event.dataDictionary["channel"] == "lapor_import")
            #expect(event.internalText?.contains("Tracking ID 4417021") == true)
            let trash = try await imported(app, "4420777")
            let trashEvent = try #require(try await Event.query(on: app.db).filter(\.$complaintID == trash.id!).first())
            #expect(trashEvent.internalText?.contains("kategori LAPOR \u{201C}Topik Lainnya\u{201D}") == true)

            // Imports notify nobody and the chain holds
            #expect(try await OutboxMessage.query(on: app.db).count() == 0)
            let problems = try await AuditVerifier.verify(app).problems
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("importing the same export again, as CSV or as XLSX, changes nothing")
    func idempotent() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            _ = try await importFile(app, "lapor-export.csv")
            let events = try await Event.query(on: app.db).count()
            for name in ["lapor-export.csv", "lapor-export.xlsx"] {
                let again = try await importFile(app, name)
                #expect(again.applied && again.created == 0 && again.already_present == 7 && again.rejected.isEmpty, "\(name)")
                #expect(again.summary == "0 created, 7 already present, 0 rejected")
            }
            #expect(try await Complaint.query(on: app.db).count() == 7)
            #expect(try await Event.query(on: app.db).count() == events)
        }
    }

    /// The rows of an export as the import reads them (its first step, nothing written).
    static func readings(_ data: Data, jurisdiction: String = "63", app: Application, now: Date) async throws -> (LaporImportReport, [LaporImport.Candidate]) {
        let reference = try await app.reference.get(on: app.db)
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-test-spool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spool) }
        let (report, _) = try LaporImport.scan(.data(data), into: spool, jurisdiction: jurisdiction, reference: reference, aliases: [], now: now,
                                               texts: { key, _ in key })
        let reader = try LaporImport.SpoolReader(spool)
        defer { reader.close() }
        var rows: [LaporImport.Candidate] = []
        while let row = try reader.next() { rows.append(row) }
        return (report, rows)
    }

    @Test("the XLSX export (title block, date cells) reads exactly like the CSV")
    func xlsxReadsLikeCSV() async throws {
        try await TestHarness.withApp { app in
            let (_, csv) = try await Self.readings(try Self.fixture("lapor-export.csv"), app: app, now: now)
            let (_, xlsx) = try await Self.readings(try Self.fixture("lapor-export.xlsx"), app: app, now: now)
            #expect(csv.count == 7 && xlsx.count == 7)
            #expect(csv.map(\.reading.laporID) == xlsx.map(\.reading.laporID))
            #expect(csv.map(\.reading.title) == xlsx.map(\.reading.title))
            #expect(csv.map(\.reading.body) == xlsx.map(\.reading.body))
            #expect(csv.map(\.reading.status) == xlsx.map(\.reading.status))
            #expect(csv.map(\.unit) == xlsx.map(\.unit))
            #expect(csv.map(\.reading.anonymous) == xlsx.map(\.reading.anonymous))
            // The CSV writes minutes for the day-first dates; the workbook's cells keep the seconds.
            for (a, b) in zip(csv, xlsx) {
                #expect(abs(a.reading.submittedAt!.timeIntervalSince(b.reading.submittedAt!)) < 60, "\(a.reading.laporID)")
            }
            #expect(xlsx.first?.line == 5) // below the title block and the header
        }
    }

    @Test("only a row without a number or without text is rejected, by line; unknown values and repeats are kept or skipped, never rejected")
    func badRows() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            let refused = try await importFile(app, "lapor-export-bad.csv")
            #expect(!refused.applied && refused.created == 0)
            #expect(refused.rejected == [.init(line: 5, lapor_id: nil, code: "no_number", reason: "Tidak ada nomor LAPOR! (kolom \u{201C}Tracking ID\u{201D} kosong).")])
            #expect(refused.repeated == [.init(line: 6, lapor_id: "4430001", first_line: 2)])
            #expect(Set(refused.unknown_values.map { "\($0.column)=\($0.value)" }) == ["Tanggal Laporan Masuk=kemarin sore", "Status Laporan=Sedang Dipikirkan", "Anonim=Mungkin"])
            #expect(refused.summary.hasPrefix("0 created, 0 already present, 1 rejected (line 5: "))
            #expect(refused.summary.hasSuffix("; nothing was imported"))
            #expect(try await Complaint.query(on: app.db).count() == 0)

            let partial = try await importFile(app, "lapor-export-bad.csv", partial: true)
            #expect(partial.applied && partial.created == 5 && partial.rejected.count == 1)
            #expect(try await imported(app, "4430001").body.contains("pasien menumpuk")) // the ; separator was recognised
            let undated = try await imported(app, "4430002")
            #expect(undated.submittedAt == now && undated.state == "baru")                 // the import's time stands in
            #expect(try await imported(app, "4430003").state == "baru")                    // an unknown status waits for the coordinator
            let unsure = try await imported(app, "4430005")
            #expect(unsure.anonymous && !unsure.confidential)                              // unreadable Anonim reads as yes
            #expect(try await imported(app, "4430006").body == "Singkat")                  // LAPOR's short texts are kept
            let note = try #require(try await Event.query(on: app.db).filter(\.$complaintID == undated.id!).first()?.internalText)
            #expect(note.contains("nilai yang tidak dikenali: Tanggal Laporan Masuk \u{201C}kemarin sore\u{201D}"))
        }
    }

    @Test("files that are not an export are refused with a clear error and change nothing")
    func unreadableFiles() async throws {
        try await TestHarness.withApp { app in
            func refusal(_ data: Data) async -> String? {
                do {
                    _ = try await LaporImport.run(data, jurisdiction: "63", partial: true, actorRole: "coordinator", actorID: nil, app: app)
                    return nil
                } catch let error as AppError {
                    return error.message
                } catch {
                    return "\(error)"
                }
            }
            #expect(await refusal(Data("Judul,Isi Laporan\nA,B\n".utf8))?.hasPrefix("Ini bukan ekspor SP4N-LAPOR!") == true)
            #expect(await refusal(Data("nama,alamat,telepon\nSiti,Jl. A. Yani,0812\n".utf8))?.hasPrefix("Ini bukan ekspor SP4N-LAPOR!") == true)
            #expect(await refusal(Data([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0]))?.contains("neither") == true)
            #expect(await refusal(Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5]))?.contains("cannot be opened as an XLSX") == true)
            #expect(await refusal(Data("No. Tiket,Judul\n\"1,A\n".utf8))?.hasPrefix("File tidak dapat dibaca: line 2: a quoted field is not closed") == true)
            // A workbook whose sheet is not XML.
            let damaged = await refusal(try Self.damagedWorkbook())
            #expect(damaged?.contains("damaged") == true, "\(damaged ?? "accepted")")
            do {
                _ = try await LaporImport.run(try Self.fixture("lapor-export.csv"), jurisdiction: "99", partial: false, actorRole: "coordinator",
                                              actorID: nil, app: app)
                Issue.record("an unknown jurisdiction was accepted")
            } catch let error as AppError {
                #expect(error.field == "jurisdiction")
            }
            #expect(try await Complaint.query(on: app.db).count() == 0)
        }
    }

    @Test("a complaint forwarded from here and numbered by LAPOR is not imported again")
    func forwardedIsPresent() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let s = try await app.submit()
            #expect(try await app.act(coordinator, s.tracking_id, "forward_external", ["destination": "lapor", "external_ref": "4417021"]).0 == .ok)
            let report = try await importFile(app, "lapor-export.csv")
            #expect(report.created == 6 && report.already_present == 1)
            #expect(!report.complaints.contains { $0.lapor_id == "4417021" })
        }
    }

    /// A multipart/form-data body with the export and the form fields.
    static func multipart(file: Data, filename: String, fields: [String: String]) -> (HTTPHeaders, ByteBuffer) {
        let boundary = "aduan-test-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
        body.append(file)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return (["content-type": "multipart/form-data; boundary=\(boundary)"], ByteBuffer(data: body))
    }

    func upload(_ app: Application, token: String?, file: Data, filename: String = "ekspor.xlsx",
                fields: [String: String] = [:]) async throws -> (HTTPStatus, String) {
        var (headers, body) = Self.multipart(file: file, filename: filename, fields: fields)
        if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(.POST, "/api/v1/import/lapor", headers: headers, body: body) { res in out = (res.status, res.body.string) }
        return out
    }

    @Test("POST /api/v1/import/lapor: coordinators and sysadmins of the jurisdiction import; everyone else is refused")
    func api() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let kota = try await app.createOfficer("koord.kota", .coordinator, "63.71")
            let liaison = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let admin = try await app.createOfficer("admin", .sysadmin, "63")
            let xlsx = try Self.fixture("lapor-export.xlsx")

            #expect(try await upload(app, token: nil, file: xlsx).0 == .unauthorized)
            #expect(try await upload(app, token: liaison, file: xlsx, fields: ["jurisdiction": "63"]).0 == .forbidden)
            #expect(try await upload(app, token: kota, file: xlsx, fields: ["jurisdiction": "63"]).0 == .forbidden)
            #expect(try await Complaint.query(on: app.db).count() == 0)

            // The coordinator's one jurisdiction is the default
            let (status, body) = try await upload(app, token: coordinator, file: xlsx)
            #expect(status == .ok, "\(body)")
            let report = json(body)
            #expect(report["created"] as? Int == 7 && report["already_present"] as? Int == 0)
            #expect((report["complaints"] as? [[String: Any]])?.first?["lapor_id"] as? String == "4417021")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "lapor_import").count() == 1)

            // A sysadmin of the province imports the CSV: all present already
            let (again, againBody) = try await upload(app, token: admin, file: try Self.fixture("lapor-export.csv"), filename: "ekspor.csv",
                                                      fields: ["jurisdiction": "63"])
            #expect(again == .ok)
            #expect(json(againBody)["already_present"] as? Int == 7)

            // Rejected rows: 422 with the report, nothing written
            let (bad, badBody) = try await upload(app, token: coordinator, file: try Self.fixture("lapor-export-bad.csv"), filename: "buruk.csv")
            #expect(bad == .unprocessableEntity)
            let refused = json(badBody)
            #expect((refused["error"] as? [String: Any])?["code"] as? String == "import_rejected")
            #expect(((refused["report"] as? [String: Any])?["rejected"] as? [Any])?.count == 1)
            #expect(try await Complaint.query(on: app.db).count() == 7)
            // A dry run: 200 with what would happen, nothing written, no audit entry.
            let (checked, checkedBody) = try await upload(app, token: coordinator, file: try Self.fixture("lapor-export-bad.csv"),
                                                          filename: "buruk.csv", fields: ["partial": "true", "dry_run": "true"])
            #expect(checked == .ok && json(checkedBody)["dry_run"] as? Bool == true && json(checkedBody)["applied"] as? Bool == false)
            #expect(json(checkedBody)["created"] as? Int == 5 && (json(checkedBody)["by_state"] as? [String: Int]) == ["baru": 3, "selesai": 2])
            #expect(try await Complaint.query(on: app.db).count() == 7)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "lapor_import").count() == 3) // the refused one is audited, the dry run not
            let (partial, partialBody) = try await upload(app, token: coordinator, file: try Self.fixture("lapor-export-bad.csv"),
                                                          filename: "buruk.csv", fields: ["partial": "true"])
            #expect(partial == .ok && json(partialBody)["created"] as? Int == 5)

            // Not a spreadsheet, an empty file, not multipart
            #expect(try await upload(app, token: coordinator, file: Data("halo".utf8)).0 == .unprocessableEntity)
            #expect(try await upload(app, token: coordinator, file: Data()).0 == .unprocessableEntity)
            var status415: HTTPStatus = .ok
            try await app.testing().test(.POST, "/api/v1/import/lapor",
                                         headers: ["content-type": "application/json", "authorization": "Bearer \(coordinator)"],
                                         body: ByteBuffer(string: "{}")) { res in status415 = res.status }
            #expect(status415 == .unsupportedMediaType)
        }
    }

    @Test("aduan import lapor FILE prints the summary and fails when rows are rejected")
    func command() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(now)
            var context = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                "aduan", "lapor", Self.fixtures.appendingPathComponent("lapor-export.xlsx").path, "--jurisdiction", "63",
            ]))
            context.application = app
            try await ImportGroup().run(using: &context)
            #expect(try await Complaint.query(on: app.db).filter(\.$channel == "lapor_import").count() == 7)
            #expect(try await Event.query(on: app.db).filter(\.$actorID == "cli").count() == 7)

            var bad = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                "aduan", "lapor", Self.fixtures.appendingPathComponent("lapor-export-bad.csv").path,
            ]))
            bad.application = app
            await #expect(throws: ImportLaporCommand.Refused.self) { try await ImportGroup().run(using: &bad) }
            #expect(try await Complaint.query(on: app.db).count() == 7)

            // --dry-run reads and counts, writes nothing, and does not fail on rejected rows.
            var dry = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                "aduan", "lapor", Self.fixtures.appendingPathComponent("lapor-ringkas.csv").path, "--dry-run",
            ]))
            dry.application = app
            try await ImportGroup().run(using: &dry)
            #expect(try await Complaint.query(on: app.db).count() == 7)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "lapor_import").count() == 2)
        }
    }

    /// A ZIP that claims to be a workbook but whose sheet is not XML.
    static func damagedWorkbook() throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        let parts = ["xl/workbook.xml": #"<workbook><sheets><sheet name="A" sheetId="1"/></sheets></workbook>"#,
                     "xl/worksheets/sheet1.xml": "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Tracking ID"]
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try #require(archive.data)
    }
}
