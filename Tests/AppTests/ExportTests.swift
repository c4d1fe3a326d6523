import AduanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting
import ZIPFoundation
@testable import App

/// Export of complaints as CSV and XLSX: scoped to the officer, the listing's filters, streamed in pages, no
/// reporter for anonymous complaints.
// Serialized: each test holds a database (and on PostgreSQL a pool of connections); the whole suite in parallel
// with the others would exceed a default max_connections of 100.
@Suite("Complaint export", .serialized)
struct ExportTests {
    func download(_ app: Application, _ path: String, token: String?) async throws -> (HTTPStatus, HTTPHeaders, Data) {
        var headers: HTTPHeaders = [:]
        if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
        var out: (HTTPStatus, HTTPHeaders, Data) = (.internalServerError, [:], Data())
        try await app.testing().test(.GET, path, headers: headers) { res in
            out = (res.status, res.headers, Data(buffer: res.body))
        }
        return out
    }

    /// Rows as dictionaries by column name, read back with the import's reader.
    func table(_ data: Data) throws -> [[String: String]] {
        let rows = try SpreadsheetReader.rows(from: data)
        let header = try #require(rows.first).cells
        return rows.dropFirst().map { row in
            Dictionary(uniqueKeysWithValues: header.enumerated().map { ($0.element, $0.offset < row.cells.count ? row.cells[$0.offset] : "") })
        }
    }

    @Test("CSV: only what the officer may read, a named reporter but never an anonymous one, formulas defused")
    func csv() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let named = try await app.submit(["title": "Antrean, \"panjang\" sekali", "reporter": ["name": "Siti", "email": "siti@example.org"]])
            let anonymous = try await app.submit(["anonymous": true, "reporter": ["name": "Rahasia Sekali", "email": "anon@example.org"]])
            let formula = try await app.submit(["title": "=HYPERLINK(\"http://contoh.test\")"])
            _ = try await app.submit(["jurisdiction": "63.71"])

            let (status, headers, data) = try await download(app, "/api/v1/export/complaints.csv", token: coordinator)
            #expect(status == .ok)
            #expect(headers.contentType?.subType == "csv")
            #expect(headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"aduan-") == true)
            #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains("\r\n"))
            let rows = try table(data)
            #expect(try SpreadsheetReader.rows(from: data).first?.cells == ComplaintExport.columns)
            #expect(Set(rows.map { $0["tracking_id"]! }) == [named.tracking_id, anonymous.tracking_id, formula.tracking_id])

            let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0["tracking_id"]!, $0) })
            #expect(byID[named.tracking_id]?["title"] == "Antrean, \"panjang\" sekali")
            #expect(byID[named.tracking_id]?["reporter_name"] == "Siti")
            #expect(byID[named.tracking_id]?["reporter_email"] == "siti@example.org")
            #expect(byID[anonymous.tracking_id]?["anonymous"] == "true")
            #expect(byID[anonymous.tracking_id]?["reporter_name"] == "")
            #expect(!text.contains("Rahasia Sekali") && !text.contains("anon@example.org"))
            #expect(byID[formula.tracking_id]?["title"] == "'=HYPERLINK(\"http://contoh.test\")")
            #expect(byID[named.tracking_id]?["submitted_at"]?.hasSuffix("+08:00") == true)
            #expect(byID[named.tracking_id]?["state"] == "baru")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "export").count() == 1)
        }
    }

    @Test("the listing's filters apply; bad filters are refused before anything is sent; no token, no export")
    func filtersAndRefusals() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let liaison = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let a = try await app.submit(), b = try await app.submit()
            _ = try await app.act(coordinator, a.tracking_id, "verify", ["unit": "63/dinkes"])

            let (_, _, baru) = try await download(app, "/api/v1/export/complaints.csv?state=baru", token: coordinator)
            #expect(try table(baru).map { $0["tracking_id"]! } == [b.tracking_id])
            let (_, _, unit) = try await download(app, "/api/v1/export/complaints.csv", token: liaison)
            #expect(try table(unit).map { $0["tracking_id"]! } == [a.tracking_id])

            let (bad, _, body) = try await download(app, "/api/v1/export/complaints.csv?state=nonsense", token: coordinator)
            #expect(bad == .unprocessableEntity)
            #expect(String(decoding: body, as: UTF8.self).contains("unknown state nonsense"))
            #expect(try await download(app, "/api/v1/export/complaints.xlsx", token: nil).0 == .unauthorized)
        }
    }

    @Test("XLSX: a valid workbook with the same rows as the CSV")
    func xlsx() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            for i in 0..<12 {
                _ = try await app.submit(["title": "Laporan <\(i)> & \"kutipan\"", "body": String(repeating: "Isi laporan panjang \(i). ", count: 40),
                                          "anonymous": i % 3 == 0])
            }
            let (status, headers, data) = try await download(app, "/api/v1/export/complaints.xlsx", token: coordinator)
            #expect(status == .ok)
            #expect(headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let archive = try Archive(data: data, accessMode: .read)
            #expect(Set(archive.map(\.path)) == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                                  "xl/styles.xml", "xl/worksheets/sheet1.xml"])
            let (_, _, csv) = try await download(app, "/api/v1/export/complaints.csv", token: coordinator)
            let fromXLSX = try table(data), fromCSV = try table(csv)
            #expect(fromXLSX.count == 12)
            #expect(fromXLSX == fromCSV)
            #expect(fromXLSX.contains { $0["title"] == "Laporan <3> & \"kutipan\"" })
        }
    }

    @Test("pages are read one after another by id: every complaint once, in order, whatever the page size")
    func paging() async throws {
        try await TestHarness.withApp { app in
            var ids: [String] = []
            for _ in 0..<7 { ids.append(try await app.submit().tracking_id) }
            let collected = NIOLockedValueBox<[UInt8]>([])
            let summary = try await ComplaintExport.stream(.csv, query: { Complaint.query(on: app.db) }, app: app, pageSize: 2) { bytes in
                collected.withLockedValue { $0 += bytes }
            }
            #expect(summary == ComplaintExport.Summary(rows: 7, confidential: 0))
            #expect(try table(Data(collected.withLockedValue { $0 })).map { $0["tracking_id"]! } == ids)
        }
    }

    @Test("the streaming ZIP writer: large and small entries read back byte for byte")
    func zipWriter() throws {
        let zip = ZipStreamWriter()
        var out: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        let big = (0..<300_000).map { _ in "abcdefghij klmnopqrstuvwxyz 0123456789\n".randomElement(using: &generator)! }
        let bigText = String(big)
        try zip.addEntry("a.txt", "halo")
        try zip.beginEntry("dir/b.txt")
        var index = bigText.startIndex
        while index < bigText.endIndex {
            let end = bigText.index(index, offsetBy: 70_001, limitedBy: bigText.endIndex) ?? bigText.endIndex
            try zip.write(String(bigText[index..<end]))
            out += zip.drain()
            index = end
        }
        try zip.endEntry()
        try zip.addEntry("empty.txt", "")
        try zip.finish()
        out += zip.drain()
        let archive = try Archive(data: Data(out), accessMode: .read)
        func read(_ path: String) throws -> String {
            var data = Data()
            _ = try archive.extract(try #require(archive[path])) { data.append($0) }
            return String(decoding: data, as: UTF8.self)
        }
        #expect(try read("a.txt") == "halo")
        #expect(try read("dir/b.txt") == bigText)
        #expect(try read("empty.txt") == "")
    }

    @Test("aduan export complaints writes the file whole, or nothing")
    func command() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.submit(); _ = try await app.submit(["jurisdiction": "63.71"])
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-export-\(UUID().uuidString).xlsx")
            defer { try? FileManager.default.removeItem(at: out) }
            var context = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                "aduan", "complaints", "--format", "xlsx", "--out", out.path, "--scope", "63",
            ]))
            context.application = app
            try await ExportGroup().run(using: &context)
            #expect(try table(try Data(contentsOf: out)).count == 1)

            var bad = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                "aduan", "complaints", "--out", out.path + ".csv", "--state", "nonsense",
            ]))
            bad.application = app
            await #expect(throws: AppError.self) { try await ExportGroup().run(using: &bad) }
            #expect(!FileManager.default.fileExists(atPath: out.path + ".csv"))
        }
    }
}
