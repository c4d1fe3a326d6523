import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

@Suite("Monev workspace: dashboard, rankings, drill-down, report, API")
struct MonevTests {
    /// Province complaints (one verified and answered, one new) and one in Kota Banjarmasin (63.71).
    static func installation(_ app: Application) async throws -> (province: [String], kota: String) {
        let koord = try await app.createOfficer("koord", .coordinator, "63")
        let dinkes = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
        _ = try await app.createOfficer("irprov", .inspector, "63")
        _ = try await app.createOfficer("irkota", .inspector, "63.71")
        _ = try await app.createOfficer("gubernur", .executive, "63")
        app.clock.set(ISO8601DateFormatter().date(from: "2026-04-06T09:00:00+08:00")!)
        let a = try await app.submit(["title": "Antrean panjang di puskesmas"]).tracking_id
        let b = try await app.submit(["title": "Lampu jalan mati"]).tracking_id
        let c = try await app.submit(["title": "Sampah di Kota Banjarmasin", "jurisdiction": "63.71"]).tracking_id
        app.clock.set(ISO8601DateFormatter().date(from: "2026-04-07T09:00:00+08:00")!)
        _ = try await app.act(koord, a, "verify", ["unit": "63/dinkes"])
        _ = try await app.act(dinkes, a, "respond_final", ["text": "Jam layanan ditambah."])
        app.clock.set(ISO8601DateFormatter().date(from: "2026-04-20T09:00:00+08:00")!)
        return ([a, b], c)
    }

    @Test("the provincial inspector sees the province with its kabupaten/kota, ranked; every number leads to its complaints")
    func provinceDashboard() async throws {
        try await TestHarness.withApp { app in
            let (province, kota) = try await Self.installation(app)
            let browser = try await Browser.officer(app, "irprov")
            var (status, page) = try await browser.get("/petugas/monev?j=63&periode=month&tahun=2026&ke=4&sub=1")
            #expect(status == .ok && page.contains("April 2026") && page.contains("Peringkat kabupaten/kota") && page.contains("Kota Banjarmasin"))
            #expect(page.contains("<strong>3</strong> Laporan masuk") || page.contains("<strong>3</strong>"))
            #expect(page.contains("Dinas Kesehatan") && page.contains("Tahap yang melewati batas waktu"))
            // Drill-down: the list behind "received" is the three complaints of April in 63 and below.
            let figures = try #require(page.components(separatedBy: "<ul class=\"figures\">").dropFirst().first)
            let link = try #require(figures.firstMatch(after: "<a href=\"", until: "\"")).replacingOccurrences(of: "&amp;", with: "&")
            #expect(link.hasPrefix("/petugas/aduan?j=63&dari=2026-04-01&sampai=2026-04-30"))
            (status, page) = try await browser.get(link)
            #expect(status == .ok && page.contains("Jumlah: 3"))
            for id in province + [kota] { #expect(page.contains(TrackingID(id)!.formatted)) }
            // The overdue verification of the new complaint is on the list with its age.
            (_, page) = try await browser.get("/petugas/monev?j=63&periode=month&tahun=2026&ke=4")
            #expect(page.contains(TrackingID(province[1])!.formatted) && page.contains("terlambat"))
            #expect(try await browser.get("/petugas/monev?j=63&periode=month&tahun=2026&ke=13").0 == .unprocessableEntity)
        }
    }

    @Test("a kabupaten/kota inspector never sees another jurisdiction; executives read; others are refused")
    func scope() async throws {
        try await TestHarness.withApp { app in
            _ = try await Self.installation(app)
            let kota = try await Browser.officer(app, "irkota")
            var (status, page) = try await kota.get("/petugas/monev")
            #expect(status == .ok && page.contains("Kota Banjarmasin") && !page.contains("value=\"63\""))
            #expect(try await kota.get("/petugas/monev?j=63").0 == .forbidden)
            #expect(try await kota.get("/petugas/monev.csv?j=63").0 == .forbidden)
            #expect(try await kota.get("/petugas/monev/laporan?j=63").0 == .forbidden)
            let token = try await app.login("irkota")
            #expect(try await app.get("/api/v1/monev/summary?scope=63", token: token).0 == .forbidden)
            #expect(try await app.get("/api/v1/monev/summary?scope=63&include_sub=true", token: token).0 == .forbidden)
            #expect(try await app.get("/api/v1/monev/units?scope=63/dinkes", token: token).0 == .forbidden)
            #expect(try await app.get("/api/v1/monev/summary?scope=63.71", token: token).0 == .ok)
            let executive = try await Browser.officer(app, "gubernur")
            (status, page) = try await executive.get("/petugas/monev")
            #expect(status == .ok && page.contains("hanya baca"))
            let coordinator = try await Browser.officer(app, "koord")
            #expect(try await coordinator.get("/petugas/monev").0 == .forbidden)
            #expect(try await app.get("/api/v1/monev/summary", token: try await app.login("koord")).0 == .forbidden)
        }
    }

    @Test("the API, the dashboard's CSV and the public statistics agree on the figures")
    func agreement() async throws {
        try await TestHarness.withApp { app in
            _ = try await Self.installation(app)
            let token = try await app.login("irprov")
            let (status, body) = try await app.get("/api/v1/monev/summary?scope=63&from=2026-01-01&to=2026-12-31", token: token)
            #expect(status == .ok)
            let summary = try JSONDecoder().decode([String: AnyJSON].self, from: Data(body.utf8))
            #expect(summary["received"]?.int == 2 && summary["dispositioned"]?.int == 1)
            let (_, unitsBody) = try await app.get("/api/v1/monev/units?scope=63", token: token)
            let units = try JSONDecoder().decode([[String: AnyJSON]].self, from: Data(unitsBody.utf8))
            #expect(units.first?["unit"]?.string == "63/dinkes" && units.first?["dispositioned"]?.int == 1)
            #expect(try await app.get("/api/v1/monev/summary?scope=63&from=2026-13-01", token: token).0 == .unprocessableEntity)
            #expect(try await app.get("/api/v1/monev/summary?scope=63&from=2026-05-01&to=2026-04-01", token: token).0 == .unprocessableEntity)

            let browser = try await Browser.officer(app, "irprov")
            let (_, csv) = try await browser.get("/petugas/monev.csv?j=63&periode=year&tahun=2026")
            #expect(csv.contains("Aduan diterima,2,received\r\n") && csv.contains("Aduan didisposisikan ke unit,1,dispositioned\r\n")
                    && csv.contains("63/dinkes"))
            let (_, stats) = try await Browser(app).get("/statistik?j=63&year=2026")
            #expect(stats.contains("<strong>2</strong>"))
            let (reportStatus, report) = try await browser.get("/petugas/monev/laporan?j=63&periode=quarter&tahun=2026&ke=2&sub=1")
            #expect(reportStatus == .ok && report.contains("Bukti SPBE indikator 42") && report.contains("Indikator Road Map")
                    && report.contains("3 aduan masuk"))
        }
    }

    @Test("as of a chosen date the figures are those of that day, rebuilt from the event log")
    func asOfDate() async throws {
        try await TestHarness.withApp { app in
            _ = try await Self.installation(app)
            let token = try await app.login("irprov")
            func summary(_ asOf: String) async throws -> [String: AnyJSON] {
                let (status, body) = try await app.get("/api/v1/monev/summary?scope=63&from=2026-04-01&to=2026-04-30&as_of=\(asOf)", token: token)
                #expect(status == .ok)
                return try JSONDecoder().decode([String: AnyJSON].self, from: Data(body.utf8))
            }
            let before = try await summary("2026-04-06")
            #expect(before["received"]?.int == 2 && before["dispositioned"]?.int == 0)
            let after = try await summary("2026-04-07")
            #expect(after["dispositioned"]?.int == 1)
            if case .object(let states)? = after["by_state"] { #expect(states["ditanggapi"]?.int == 1 && states["baru"]?.int == 1) }
            else { Issue.record("by_state missing") }
            #expect(try await app.get("/api/v1/monev/summary?scope=63&as_of=2099-01-01", token: token).0 == .unprocessableEntity)
            let browser = try await Browser.officer(app, "irprov")
            let (status, page) = try await browser.get("/petugas/monev?j=63&periode=month&tahun=2026&ke=4&per=2026-04-06")
            #expect(status == .ok && page.contains("value=\"2026-04-06\"") && page.contains("6 Apr 2026 23:59"))
        }
    }

    @Test("the XLSX opens in LibreOffice (headless) and holds the same table as the CSV")
    func xlsxInLibreOffice() async throws {
        let soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            try #require(soffice != nil, "LibreOffice is required in CI (apt-get install libreoffice-calc-nogui)")
        }
        guard let soffice else { return }  // a laptop without LibreOffice: CI runs it
        try await TestHarness.withApp { app in
            _ = try await Self.installation(app)
            let browser = try await Browser.officer(app, "irprov")
            let query = "?j=63&periode=year&tahun=2026&sub=1"
            let (_, csv) = try await browser.get("/petugas/monev.csv" + query)
            let (status, xlsx, headers) = try await browser.download("/petugas/monev.xlsx" + query)
            #expect(status == .ok && headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(xlsx.starts(with: [0x50, 0x4B, 0x03, 0x04]), "a ZIP file")
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-lo-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("monev.xlsx")
            try Data(xlsx).write(to: file)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: soffice)
            process.arguments = ["-env:UserInstallation=file://\(dir.path)/profile", "--headless", "--convert-to",
                                 "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", dir.path, file.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let converted = try String(contentsOf: dir.appendingPathComponent("monev.csv"), encoding: .utf8)
            // RFC 4180 fields (LibreOffice quotes text cells and numbers shown with a thousands separator).
            func cells(_ text: String) -> [[String]] {
                var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
                var scalars = text.replacingOccurrences(of: "\u{FEFF}", with: "").unicodeScalars.makeIterator()
                var pending: Unicode.Scalar? = nil
                func endRow() { row.append(field); while row.last == "" { row.removeLast() }; if !row.isEmpty { rows.append(row) }; row = []; field = "" }
                while let c = pending ?? scalars.next() {
                    pending = nil
                    if quoted {
                        if c == "\"" {
                            let next = scalars.next()
                            if next == "\"" { field.unicodeScalars.append(c) } else { quoted = false; pending = next }
                        }
                        else { field.unicodeScalars.append(c) }
                    } else if c == "\"" { quoted = true }
                    else if c == "," { row.append(field); field = "" }
                    else if c == "\n" { endRow() }
                    else if c != "\r" { field.unicodeScalars.append(c) }
                }
                endRow()
                return rows
            }
            // LibreOffice shows the cells with their number formats: a rate as "50.0%", a count as "1,234", a time as
            // "2026-04-20 09:00"; the CSV writes the same numbers plainly. Text cells read the same.
            func same(_ ours: String, _ theirs: String) -> Bool {
                if ours == theirs { return true }
                if theirs.hasSuffix("%"), let shown = Double(theirs.dropLast()), let rate = Double(ours) { return abs(shown / 100 - rate) < 0.0006 }
                if let a = Double(ours), let b = Double(theirs.replacingOccurrences(of: ",", with: "")) { return abs(a - b) < 0.006 }
                if ours.count == 25, ours.contains("T") { return ours.prefix(16).replacingOccurrences(of: "T", with: " ") == theirs.prefix(16) }
                return false
            }
            let ours = cells(csv), theirs = cells(converted)
            #expect(ours.count > 10 && ours.count == theirs.count, "LibreOffice read:\n\(converted)")
            var numbers = 0
            for (a, b) in zip(ours, theirs) {
                #expect(a.count == b.count && zip(a, b).allSatisfy(same), "ours \(a), LibreOffice \(b)")
                numbers += zip(a, b).filter { $0 != $1 }.count
            }
            // Numbers shown with a format differ in text from the plain CSV: proof LibreOffice read numeric cells.
            #expect(numbers >= 3, "LibreOffice read no formatted number:\n\(converted)")
        }
    }

    @Test("monitoring notes on a unit: written and read by the inspectorate over it, never shown to the unit, audited")
    func monitoringNotes() async throws {
        try await TestHarness.withApp { app in
            _ = try await Self.installation(app)
            _ = try await app.createOfficer("kadinkes", .unit_head, "63/dinkes")
            let inspector = try await Browser.officer(app, "irprov")
            var (status, page) = try await inspector.get("/petugas/teguran")
            #expect(status == .ok && page.contains("Catatan monev per unit") && page.contains("Belum ada catatan."))
            var (posted, _, location) = try await inspector.post("/petugas/teguran/catatan",
                                                                   ["unit": "63/dinkes", "text": "Antrean puskesmas masih panjang pada kunjungan April."])
            #expect(posted == .seeOther && location?.hasSuffix("ok=noted") == true)
            (_, page) = try await inspector.get("/petugas/teguran?ok=noted")
            #expect(page.contains("Catatan tersimpan.") && page.contains("Antrean puskesmas masih panjang"))
            #expect(try await MonitoringNote.query(on: app.db).count() == 1)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "monitoring_note").count() == 1)
            // Too short: refused, nothing written.
            (posted, page, _) = try await inspector.post("/petugas/teguran/catatan", ["unit": "63/dinkes", "text": "pendek"])
            #expect(posted == .unprocessableEntity && page.contains("10 sampai 5.000"))
            #expect(try await MonitoringNote.query(on: app.db).count() == 1)
            // The unit's head reads warnings, not the inspectorate's notes.
            let head = try await Browser.officer(app, "kadinkes")
            (status, page) = try await head.get("/petugas/teguran")
            #expect(status == .ok && !page.contains("Antrean puskesmas masih panjang") && !page.contains("Catatan monev per unit"))
            #expect(try await head.post("/petugas/teguran/catatan", ["unit": "63/dinkes", "text": "Catatan dari kepala unit sendiri."]).0 == .forbidden)
            // A kota inspector neither reads nor writes notes on a province unit.
            let kota = try await Browser.officer(app, "irkota")
            (_, page) = try await kota.get("/petugas/teguran")
            #expect(!page.contains("Antrean puskesmas masih panjang"))
            #expect(try await kota.post("/petugas/teguran/catatan", ["unit": "63/dinkes", "text": "Catatan dari inspektorat kota."]).0 == .forbidden)
            #expect(try await MonitoringNote.query(on: app.db).count() == 1)
        }
    }

    /// Issue 13: a complaint dispositioned and later no longer held by a unit (returned, then archived, forwarded
    /// outside or to a kabupaten/kota) was counted twice as dispositioned at jurisdiction level.
    @Test("a dispositioned complaint that went back to the coordinator counts once, over the API, before and as of a past day")
    func returnedComplaintCountsOnce() async throws {
        try await TestHarness.withApp { app in
            let koord = try await app.createOfficer("koord", .coordinator, "63")
            let dinkes = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            _ = try await app.createOfficer("irprov", .inspector, "63")
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-06T09:00:00+08:00")!)
            let archived = try await app.submit(["title": "Antrean panjang di puskesmas"]).tracking_id
            let forwarded = try await app.submit(["title": "Tagihan listrik tidak wajar"]).tracking_id
            let moved = try await app.submit(["title": "Sampah di Kota Banjarmasin"]).tracking_id
            let answered = try await app.submit(["title": "Obat kosong di apotek rumah sakit"]).tracking_id
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-07T09:00:00+08:00")!)
            for id in [archived, forwarded, moved, answered] {
                try #require(await app.act(koord, id, "verify", ["unit": "63/dinkes"]).0 == .ok)
            }
            for id in [archived, forwarded, moved] {
                try #require(await app.act(dinkes, id, "return", ["internal_text": "Bukan wewenang kami."]).0 == .ok)
            }
            try #require(await app.act(dinkes, answered, "follow_up", ["text": "Sedang ditangani."]).0 == .ok)
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-08T09:00:00+08:00")!)
            try #require(await app.act(koord, archived, "archive", ["reason": "spam", "text": "Bukan pengaduan."]).0 == .ok)
            try #require(await app.act(koord, forwarded, "forward_external", ["destination": "PT PLN", "external_ref": "P-1", "text": "Ke PLN."]).0 == .ok)
            try #require(await app.act(koord, moved, "forward_jurisdiction", ["jurisdiction": "63.71", "text": "Ke kota."]).0 == .ok)
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-20T09:00:00+08:00")!)
            let token = try await app.login("irprov")
            func figures(_ query: String) async throws -> ([String: AnyJSON], [[String: AnyJSON]]) {
                let (status, body) = try await app.get("/api/v1/monev/summary?\(query)", token: token)
                let (unitsStatus, unitsBody) = try await app.get("/api/v1/monev/units?\(query)", token: token)
                #expect(status == .ok && unitsStatus == .ok)
                return (try JSONDecoder().decode([String: AnyJSON].self, from: Data(body.utf8)),
                        try JSONDecoder().decode([[String: AnyJSON]].self, from: Data(unitsBody.utf8)))
            }
            for query in ["scope=63", "scope=63&from=2026-04-01&to=2026-04-30", "scope=63&from=2026-04-03&to=2026-04-15",
                          "scope=63&from=2026-04-01&to=2026-04-30&as_of=2026-04-10", "scope=63&as_of=2026-04-08"] {
                let (s, units) = try await figures(query)
                // In 63: the archived, the forwarded-out and the answered one reached 63/dinkes; the one forwarded to
                // 63.71 is that city's now, and reached none of its units.
                #expect(s["received"]?.int == 3 && s["dispositioned"]?.int == 3, "\(query): \(s)")
                if case .number(let rate)? = s["followed_up_rate"] { #expect(rate == 1.0 / 3.0, "\(query)") } else { Issue.record("\(query): no rate") }
                #expect(units.first { $0["unit"]?.string == "63/dinkes" }?["dispositioned"]?.int == 1, "\(query): the unit holds one")
            }
            // The province with its kabupaten/kota: all four reached a unit of the scope, each counted once.
            let (all, _) = try await figures("scope=63&include_sub=true")
            #expect(all["received"]?.int == 4 && all["dispositioned"]?.int == 4)
            let (city, _) = try await figures("scope=63.71")
            #expect(city["received"]?.int == 1 && city["dispositioned"]?.int == 0)
            #expect(try await MonevCheck.run(on: app.db, reference: try await app.reference.get(on: app.db)).isEmpty)
        }
    }
}

/// A JSON value, for reading API answers in tests.
enum AnyJSON: Decodable {
    case number(Double), string(String), bool(Bool), null, array([AnyJSON]), object([String: AnyJSON])
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }
    var int: Int? { if case .number(let n) = self { return Int(n) }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }

}
