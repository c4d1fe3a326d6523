import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

/// The real SP4N-LAPOR! "Laporan Ringkas" export of Pemerintah Kabupaten Bandung, 2021-2023 (../shared/data/lapor-sample,
/// never copied into the repository), imported as it is, and as the CSV LibreOffice saves from it.
///
/// The expected figures were computed independently of Aduan's code by Fixtures/lapor_sample_figures.py: openpyxl reads
/// the workbook and applies docs/interop.md's mapping table as written there. Kabupaten Bandung is not a jurisdiction of
/// this (Kalimantan Selatan) installation, so Kabupaten Banjar (63.03) stands in for it, with Bandung's time zone (WIB)
/// and the units `aduan org from-lapor` derives from the export's own agency names.
///
/// Skipped where ../shared is absent; in CI (CI=true) a missing sample or LibreOffice is a failure.
@Suite("The real SP4N-LAPOR! export of Kabupaten Bandung", .serialized)
struct RealLaporSampleTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/lapor-sample/laporan-ringkas-kab-bandung-2021-2023.xlsx").standardizedFileURL
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let jurisdiction = "63.03"
    let now = Date(timeIntervalSince1970: 1_775_005_200) // 2026-04-01 09:00 WITA

    // Figures from Fixtures/lapor_sample_figures.py (openpyxl, the table of docs/interop.md).
    enum Expected {
        static let rows = 1_284
        static let byState = ["selesai": 1_063, "diarsipkan": 155, "baru": 66]
        static let byReason = ["tidak_lengkap": 47, "lainnya": 95, "spam": 13]
        static let byType = ["pengaduan": 1_135, "aspirasi": 39, "permintaan_informasi": 110]
        static let supervision = 1_045
        static let byChannel = ["web": 941, "api": 304, "sms": 39]
        static let anonymous = 796
        static let confidential = 704
        static let publicListed = 580
        static let instansiMapped = 1_061
        static let instansiUnmapped = 40   // "Pemerintah Kabupaten Bandung": the government itself, no unit
        static let instansiEmpty = 183
        static let dispositionedToDinsos = 112
        static let firstRahasia = ["5522719", "5523799", "5527094"]
        static let firstOpen = ["6094957", "6096401"]
        /// 29 May 2023 04:05:34 WIB.
        static let first = ("5216807", "2023-05-28T21:05:34Z", "Badan Penanggulangan Bencana Daerah Kab. Bandung")
    }

    /// Whether the sample is here; in CI its absence fails the test.
    static func available() throws -> Bool {
        let here = FileManager.default.fileExists(atPath: sample.path)
        if inCI { try #require(here, "the LAPOR sample is required in CI: \(sample.path)") }
        return here
    }

    /// Kabupaten Banjar standing in for Kabupaten Bandung: WIB, and the organisation derived from the export's agencies.
    func prepare(_ app: Application) async throws -> OrgImport.Plan {
        app.clock.set(now)
        try await OrgAdmin.setWorkingWeek(app, actor: "test", jurisdiction: Self.jurisdiction, weekdays: [1, 2, 3, 4, 5], timeZone: "Asia/Jakarta")
        let (names, instansi) = try OrgFromLaporCommand.agencies(in: .file(Self.sample))
        #expect(instansi == "Pemerintah Kabupaten Bandung")
        let reference = try await app.reference.get(on: app.db)
        let (rows, skipped) = OrgDerivation.rows(names: names, jurisdiction: Self.jurisdiction, tree: reference.tree, exportInstansi: instansi)
        #expect(skipped == ["Pemerintah Kabupaten Bandung"])
        let csv = OrgFromLaporCommand.csv(rows)
        let loaded = try await OrgAdmin.importUnits(app, actor: "test", data: Data(csv.utf8), filename: "bandung.csv", dryRun: false)
        #expect(loaded.errors.isEmpty && loaded.applied, "\(loaded.errors)")
        // Loading the same file again changes nothing.
        let again = try await OrgAdmin.importUnits(app, actor: "test", data: Data(csv.utf8), filename: "bandung.csv", dryRun: false)
        #expect(again.applied == false && again.plan?.isEmpty == true)
        return try #require(loaded.plan)
    }

    func importSample(_ app: Application, _ source: SpreadsheetSource, dryRun: Bool = false) async throws -> LaporImportReport {
        try await LaporImport.run(source, jurisdiction: Self.jurisdiction, partial: false, dryRun: dryRun, actorRole: "coordinator",
                                  actorID: "koord.banjar", app: app)
    }

    func checkFigures(_ report: LaporImportReport) {
        #expect(report.rows == Expected.rows && report.rejected.isEmpty && report.repeated.isEmpty)
        #expect(report.by_state == Expected.byState)
        #expect(report.by_archive_reason == Expected.byReason)
        #expect(report.by_type == Expected.byType)
        #expect(report.supervision == Expected.supervision)
        #expect(report.by_channel == Expected.byChannel)
        #expect(report.anonymous == Expected.anonymous && report.confidential == Expected.confidential)
        #expect(report.instansi_mapped == Expected.instansiMapped && report.instansi_unmapped == Expected.instansiUnmapped)
        #expect(report.instansi_empty == Expected.instansiEmpty)
        #expect(report.unmappedInstansi == [.init(name: "Pemerintah Kabupaten Bandung", count: Expected.instansiUnmapped, unit: nil)])
        #expect(report.unknown_values.isEmpty && report.missing_columns.isEmpty, "\(report.unknown_values) \(report.missing_columns)")
        #expect(report.source_instansi == "Pemerintah Kabupaten Bandung" && report.source_period == "(2021-01-01) - (2023-12-31)")
    }

    func counts(_ app: Application, _ column: String) async throws -> [String: Int] {
        let sql = app.db as! any SQLDatabase
        struct Row: Decodable { var key: String; var n: Int }
        let rows = try await sql.select().column(SQLIdentifier(column), as: "key").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Complaint.schema).where("jurisdiction_code", .equal, Self.jurisdiction).groupBy(SQLIdentifier(column)).all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.key, $0.n) })
    }

    @Test("the XLSX as LAPOR wrote it: every row, state, flag, type and channel as computed independently; idempotent; aliases on re-import")
    func workbook() async throws {
        guard try Self.available() else { return }
        // LAPOR's reports were verified in LAPOR, but nothing is dispositioned here: this test reads what the public side
        // shows of them, so it publishes at submission (the default hides imported history until it is verified here).
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            let org = try await prepare(app)
            #expect(org.creates.count > 40 && org.creates.allSatisfy { $0.kind == .agency })

            let check = try await importSample(app, .file(Self.sample), dryRun: true)
            checkFigures(check)
            #expect(check.created == Expected.rows)
            #expect(try await Complaint.query(on: app.db).count() == 0)

            let report = try await importSample(app, .file(Self.sample))
            checkFigures(report)
            #expect(report.applied && report.created == Expected.rows && report.already_present == 0)

            // What was written, counted in the database.
            #expect(try await counts(app, "state") == Expected.byState)
            #expect(try await counts(app, "type") == Expected.byType)
            #expect(try await counts(app, "channel") == Expected.byChannel)
            let imported = Complaint.query(on: app.db).filter(\.$jurisdictionCode == Self.jurisdiction)
            #expect(try await imported.copy().filter(\.$anonymous == true).count() == Expected.anonymous)
            #expect(try await imported.copy().filter(\.$confidential == true).count() == Expected.confidential)
            #expect(try await imported.copy().filter(\.$supervision == true).count() == Expected.supervision)
            #expect(try await imported.copy().filter(\.$archiveReason == "spam").count() == Expected.byReason["spam"])
            for id in Expected.firstRahasia { #expect(try await imported.copy().filter(\.$laporID == id).first()?.confidential == true, "\(id)") }
            for id in Expected.firstOpen { #expect(try await imported.copy().filter(\.$laporID == id).first()?.verificationDue != nil, "\(id)") }

            // The first row: 29 May 2023 04:05:34 in Bandung's time zone (WIB), closed, its agency its handling unit.
            let first = try #require(try await imported.copy().filter(\.$laporID == Expected.first.0).first())
            #expect(first.submittedAt == ISO8601DateFormatter().date(from: Expected.first.1))
            let reference = try await app.reference.get(on: app.db)
            let bpbd = try #require(reference.tree.units.values.first { $0.jurisdiction == Self.jurisdiction && $0.name == Expected.first.2 })
            #expect(first.unitID == bpbd.id && first.state == "selesai" && first.laporInstansi == Expected.first.2)
            // Two spellings of the Dinas Sosial are one unit: the history shows who handled what.
            let dinsos = try #require(try await imported.copy().filter(\.$laporInstansi == "Dinas Sosial Kabupaten Bandung").first())
            let handledByDinsos = try await Complaint.query(on: app.db)
                .group(.or) { $0.filter(\.$unitID == dinsos.unitID ?? dinsos.targetUnitID ?? "-").filter(\.$targetUnitID == dinsos.unitID ?? dinsos.targetUnitID ?? "-") }
                .count()
            #expect(handledByDinsos == Expected.dispositionedToDinsos)
            let problems = try await AuditVerifier.verify(app).problems
            #expect(problems.isEmpty, "\(problems)")

            // Again: nothing new, nothing changed.
            let events = try await Event.query(on: app.db).count()
            let again = try await importSample(app, .file(Self.sample))
            #expect(again.created == 0 && again.already_present == Expected.rows && again.units_updated == 0)
            #expect(try await Event.query(on: app.db).count() == events)

            // The government's own name matches no unit: listed with its count; an alias reaches its 40 complaints on re-import.
            #expect(try await LaporImport.unmappedInstansi(jurisdiction: Self.jurisdiction, reference: reference, on: app.db)
                    == [.init(name: "Pemerintah Kabupaten Bandung", count: Expected.instansiUnmapped, unit: nil)])
            #expect(try await OrgAdmin.saveAlias(app, actor: "koord.banjar", jurisdiction: Self.jurisdiction, alias: "Pemerintah Kabupaten Bandung",
                                                 unit: "63.03/diskominfo") == .saved)
            let aliased = try await importSample(app, .file(Self.sample))
            #expect(aliased.created == 0 && aliased.units_updated == Expected.instansiUnmapped && aliased.instansi_unmapped == 0)
            #expect(try await Complaint.query(on: app.db).count() == Expected.rows)
            #expect(try await Complaint.query(on: app.db).filter(\.$laporInstansi == "Pemerintah Kabupaten Bandung")
                .group(.or) { $0.filter(\.$unitID == "63.03/diskominfo").filter(\.$targetUnitID == "63.03/diskominfo") }.count() == Expected.instansiUnmapped)
            #expect(try await importSample(app, .file(Self.sample)).units_updated == 0)
            let problemsAfter = try await AuditVerifier.verify(app).problems
            #expect(problemsAfter.isEmpty, "\(problemsAfter)")

            try await checkNeverPublic(app)
        }
    }

    /// Every confidential (Rahasia) complaint is absent from the public list, its public page, the public API, Open311,
    /// a read-scope key's listing and an executive's export; the others are there.
    func checkNeverPublic(_ app: Application) async throws {
        let secret = try await Complaint.query(on: app.db).filter(\.$confidential == true).all()
        #expect(secret.count == Expected.confidential)
        let secretIDs = Set(secret.map(\.trackingID))

        var listed = Set<String>()
        var page = 1
        while true {
            let result = try await TransparencyController.listing(.init(jurisdiction: Self.jurisdiction, page: page), usesSQLite: app.usesSQLite,
                                                                     publication: .atSubmission, on: app.db)
            #expect(result.total == Expected.publicListed)
            listed.formUnion(result.rows.map(\.trackingID))
            if result.rows.isEmpty || page * TransparencyController.perPage >= result.total { break }
            page += 1
        }
        #expect(listed.count == Expected.publicListed && listed.isDisjoint(with: secretIDs))

        for complaint in secret {
            #expect(try await app.get("/t/\(complaint.trackingID)").0 == .notFound)
            #expect(try await app.get("/api/v1/complaints/\(complaint.trackingID)").0 == .notFound)
            #expect(try await app.get("/open311/v2/requests/\(complaint.trackingID).json").0 == .notFound)
        }
        let (status, open311) = try await app.get("/open311/v2/requests.json?start_date=2021-01-01T00:00:00Z&end_date=2024-01-01T00:00:00Z")
        #expect(status == .ok)
        let served = Set(((try? JSONSerialization.jsonObject(with: Data(open311.utf8))) as? [[String: Any]] ?? []).compactMap { $0["service_request_id"] as? String })
        #expect(served.count == min(Expected.publicListed, Open311Controller.maxRecords) && served.isDisjoint(with: secretIDs))

        let key = try await app.key("Dasbor Banjar", [.readScope], scope: Self.jurisdiction)
        let (_, listing, _) = try await app.send(.GET, "/api/v1/complaints?per_page=100", headers: ["X-API-Key": key.key])
        #expect(json(listing)["total"] as? Int == Expected.publicListed)

        let executive = try await app.createOfficer("bupati", .executive, Self.jurisdiction)
        let (exportStatus, csv) = try await app.get("/api/v1/export/complaints.csv?scope=\(Self.jurisdiction)", token: executive)
        #expect(exportStatus == .ok)
        #expect(secret.allSatisfy { !csv.contains($0.trackingID) })
        #expect(Expected.firstRahasia.allSatisfy { !csv.contains($0) } && csv.contains(Expected.first.0))
        #expect(try SpreadsheetReader.rows(from: Data(csv.utf8)).count == 1 + Expected.publicListed)
    }

    @Test("the CSV LibreOffice saves from the workbook imports the same")
    func savedAsCSV() async throws {
        guard try Self.available() else { return }
        let soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if Self.inCI { try #require(soffice != nil, "LibreOffice is required in CI (apt-get install libreoffice-calc-nogui)") }
        guard let soffice else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-lapor-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: soffice)
        // Comma, double quotes, UTF-8 (76), as Excel's "CSV UTF-8"; a profile of its own so a running LibreOffice does not interfere.
        process.arguments = ["-env:UserInstallation=file://\(dir.path)/profile", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1",
                             "--outdir", dir.path, Self.sample.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let csv = dir.appendingPathComponent(Self.sample.deletingPathExtension().lastPathComponent + ".csv")
        try #require(process.terminationStatus == 0 && FileManager.default.fileExists(atPath: csv.path), "LibreOffice did not convert the sample")
        try await TestHarness.withApp { app in
            _ = try await prepare(app)
            let report = try await importSample(app, .file(csv))
            checkFigures(report)
            #expect(report.applied && report.created == Expected.rows)
            let first = try #require(try await Complaint.query(on: app.db).filter(\.$laporID == Expected.first.0).first())
            #expect(first.submittedAt == ISO8601DateFormatter().date(from: Expected.first.1))
            // The workbook after the CSV: the same complaints, all present.
            let again = try await importSample(app, .file(Self.sample))
            #expect(again.created == 0 && again.already_present == Expected.rows && again.units_updated == 0)
        }
    }
}
