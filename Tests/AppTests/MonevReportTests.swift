import AduanCore
import Fluent
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Vapor
import VaporTesting
import ZIPFoundation
@testable import App

/// The cells of the first sheet of an XLSX, read with ZIPFoundation and Foundation's XML parser (not the app's
/// own spreadsheet reader): by reference ("B7"), with the cell's type (`t`), style index (`s`) and value or text.
final class SheetCells: NSObject, XMLParserDelegate {
    struct Cell: Equatable { var type: String?; var style: String?; var value: String }
    var cells: [String: Cell] = [:]
    var rows: [[String]] = []
    private var ref = "", type: String?, style: String?, text = "", inValue = false

    static func read(_ bytes: [UInt8]) throws -> SheetCells {
        let archive = try Archive(data: Data(bytes), accessMode: .read)
        let entry = try #require(archive["xl/worksheets/sheet1.xml"])
        var xml = Data()
        _ = try archive.extract(entry) { xml.append($0) }
        let reader = SheetCells()
        let parser = XMLParser(data: xml)
        parser.delegate = reader
        #expect(parser.parse(), "the sheet is well-formed XML")
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "row": rows.append([])
        case "c": ref = attributes["r"] ?? ""; type = attributes["t"]; style = attributes["s"]; text = ""
        case "v", "t": inValue = true
        default: break
        }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { text += string } }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "v" || name == "t" { inValue = false }
        if name == "c" { cells[ref] = Cell(type: type, style: style, value: text); rows[rows.count - 1].append(ref) }
    }

    /// The row whose first cell reads `label`, as its cells left to right.
    func row(_ label: String) -> [Cell]? {
        rows.first { cells[$0.first ?? ""]?.value == label }.map { $0.compactMap { cells[$0] } }
    }
}

/// The SVG elements of a page, each parsed on its own as XML.
private func svgs(_ html: String) throws -> [String] {
    var out: [String] = []
    var rest = html[...]
    while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
        let svg = String(rest[start.lowerBound..<end.upperBound])
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "an SVG on the page is not well-formed XML: \(svg.prefix(200))")
        out.append(svg)
        rest = rest[end.upperBound...]
    }
    return out
}

private func decode(_ body: String) throws -> [String: AnyJSON] {
    try JSONDecoder().decode([String: AnyJSON].self, from: Data(body.utf8))
}

@Suite("Monev reports people can use: files, the printed report, charts, the executive's home, small counts")
struct MonevReportTests {
    @Test("XLSX: numbers are numeric cells with number formats, names in Indonesian (English with ?lang=en), time in WITA")
    func xlsxNumbers() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let token = try await app.login("irprov")
            let (_, api) = try await app.get("/api/v1/monev/summary?scope=63&include_sub=true&from=2026-01-01&to=2026-12-31", token: token)
            let summary = try decode(api)
            let browser = try await Browser.officer(app, "irprov")
            let (status, bytes, headers) = try await browser.download("/petugas/monev.xlsx?j=63&periode=year&tahun=2026&sub=1")
            #expect(status == .ok && headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let sheet = try SheetCells.read(bytes)

            let received = try #require(sheet.row("Aduan diterima"))
            #expect(received[1].type == nil && received[1].value == "3" && received[1].style == "6", "\(received)")
            #expect(received[2].value == "received")
            let followed = try #require(sheet.row("Persentase ditindaklanjuti"))
            #expect(followed[1].type == nil && followed[1].style == "2")
            if case .number(let rate)? = summary["followed_up_rate"] { #expect(Double(followed[1].value) == rate) }
            else { Issue.record("the API has no followed-up rate") }
            // The period as dates (Excel serials 46023 = 2026-01-01, 46387 = 2026-12-31) and the as-of instant in WITA:
            // 20 April 2026 09:00 = 46132 + 9/24.
            let period = try #require(sheet.row("Periode"))
            #expect(period[1].value == "46023" && period[2].value == "46387" && period[1].style == "4")
            let asOf = try #require(sheet.row("Per"))
            #expect(asOf[1].value == "46132.375" && asOf[1].style == "5" && asOf[2].value == "WITA")
            // The ranking: Dinas Kesehatan with one dispositioned complaint, as a number.
            let dinkes = try #require(sheet.rows.first { $0.count > 1 && sheet.cells[$0[1]]?.value == "63/dinkes" }).compactMap { sheet.cells[$0] }
            #expect(dinkes[3].value == "1" && dinkes[3].type == nil && dinkes[2].value == "Dinas Kesehatan")
            // The styles say what the number formats are.
            let archive = try Archive(data: Data(bytes), accessMode: .read)
            var styles = Data()
            _ = try archive.extract(try #require(archive["xl/styles.xml"])) { styles.append($0) }
            let stylesText = String(decoding: styles, as: UTF8.self)
            #expect(stylesText.contains(#"<numFmt numFmtId="164" formatCode="0.0%"/>"#) && stylesText.contains(#"<cellXfs count="7">"#))

            let (_, english, _) = try await browser.download("/petugas/monev.xlsx?j=63&periode=year&tahun=2026&sub=1&lang=en")
            let en = try SheetCells.read(english)
            #expect(en.row("Complaints received")?[1].value == "3" && en.row("Share followed up") != nil && en.row("Aduan diterima") == nil)
        }
    }

    @Test("CSV: the same table, plain numbers and ISO dates, the time with the WITA offset, Indonesian names and API codes")
    func csvPlain() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let browser = try await Browser.officer(app, "irprov")
            let (status, csv) = try await browser.get("/petugas/monev.csv?j=63&periode=month&tahun=2026&ke=4&sub=1")
            #expect(status == .ok)
            #expect(csv.contains("Aduan diterima,3,received\r\n") && csv.contains("Aduan didisposisikan ke unit,1,dispositioned\r\n"))
            #expect(csv.contains("Persentase ditindaklanjuti,1.0000,followed_up_rate\r\n"))
            #expect(csv.contains("Periode,2026-04-01,2026-04-30\r\n") && csv.contains("Per,2026-04-20T09:00:00+08:00,WITA\r\n"))
            #expect(csv.contains(",63/dinkes,Dinas Kesehatan,1,1.0000,"))
            let (_, english) = try await browser.get("/petugas/monev.csv?j=63&periode=month&tahun=2026&ke=4&sub=1&lang=en")
            #expect(english.contains("Complaints received,3,received\r\n") && english.contains("Share followed up,1.0000,followed_up_rate\r\n"))
        }
    }

    @Test("the printed report: heading with the jurisdiction and period, signature block, quiet units left out unless asked")
    func printedReport() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let browser = try await Browser.officer(app, "irprov")
            var (status, page) = try await browser.get("/petugas/monev/laporan?j=63&periode=quarter&tahun=2026&ke=2")
            #expect(status == .ok)
            #expect(page.contains("Pemerintah Provinsi Kalimantan Selatan") && page.contains("Triwulan 2 tahun 2026"))
            #expect(page.contains(#"<section class="signature""#) && page.contains("Inspektur Provinsi Kalimantan Selatan"))
            #expect(page.contains("NIP. ………………………") && page.contains(#"class="report-options no-print""#))
            // Only the unit with something in the period is ranked; the others are counted in a note.
            #expect(page.contains(#"data-unit="63/dinkes""#) && !page.contains(#"data-unit="63/dpupr""#))
            let handling = try await app.reference.get(on: app.db).tree.handlingUnits(in: ["63"]).count
            #expect(page.contains("\(handling - 1) unit tanpa aduan"))
            (_, page) = try await browser.get("/petugas/monev/laporan?j=63&periode=quarter&tahun=2026&ke=2&semua=1")
            #expect(page.contains(#"data-unit="63/dpupr""#) && !page.contains("unit tanpa aduan, tahap"))

            (status, page) = try await browser.get("/petugas/monev/laporan?j=63&periode=quarter&tahun=2026&ke=2&tempat=Banjarbaru&tanggal=2026-07-03&nama=Dr.%20H.%20Inspektur&nip=196912311994031005")
            #expect(status == .ok && page.contains("Banjarbaru, 3 Juli 2026") && page.contains("Dr. H. Inspektur") && page.contains("NIP. 196912311994031005"))
            (status, page) = try await browser.get("/petugas/monev/laporan?j=63&periode=quarter&tahun=2026&ke=2&nama=Budi&nip=12345")
            #expect(status == .unprocessableEntity && page.contains("NIP terdiri atas 18 angka.") && page.contains(#"value="Budi""#)
                    && page.contains(#"value="12345""#) && !page.contains("NIP. 12345"))

            // The stylesheet prints on A4 without the menu and the buttons.
            let (_, css) = try await app.get("/css/app.css")
            #expect(css.contains("@page { size: A4 portrait;") && css.contains("header.site, footer.site, .skip, .no-print"))
        }
    }

    @Test("charts: received per month, kabupaten/kota side by side, response on time per unit; SVG without script or style")
    func charts() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let browser = try await Browser.officer(app, "irprov")
            let (status, page) = try await browser.get("/petugas/monev?j=63&periode=year&tahun=2026&sub=1")
            #expect(status == .ok)
            let drawn = try svgs(page)
            #expect(drawn.count >= 6)
            for id in ["chart-trend", "chart-places", "chart-response", "chart-state", "chart-type"] {
                #expect(drawn.contains { $0.contains(#"id="\#(id)""#) }, "\(id) is drawn")
            }
            let trend = try #require(drawn.first { $0.contains(#"id="chart-trend""#) })
            #expect(trend.contains(">Apr</text>") && trend.contains("April 2026: 3") && trend.contains(#"<title id="chart-trend-title">Aduan masuk per bulan</title>"#))
            let places = try #require(drawn.first { $0.contains(#"id="chart-places""#) })
            #expect(places.contains("Kota Banjarmasin") && places.contains("Respons tepat waktu"))
            #expect(!page.contains(" style=\"") && !page.contains("<script>"))
            // The numbers as a table too.
            #expect(page.contains(#"<details class="chart-data">"#))
        }
    }

    @Test("the period is one choice: no month-or-quarter box for a year; periode=month-4 reads like periode=month&ke=4")
    func periods() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let browser = try await Browser.officer(app, "irprov")
            let (_, year) = try await browser.get("/petugas/monev?j=63&periode=year&tahun=2026")
            #expect(!year.contains("Bulan/triwulan ke-") && year.contains(#"<option value="year" selected>Setahun penuh</option>"#))
            let (_, a) = try await browser.get("/petugas/monev?j=63&periode=month-4&tahun=2026")
            let (_, b) = try await browser.get("/petugas/monev?j=63&periode=month&ke=4&tahun=2026")
            #expect(a.contains(#"<option value="month-4" selected>April</option>"#) && b.contains(#"<option value="month-4" selected>April</option>"#))
            #expect(a.contains("<strong>2</strong> laporan diterima") && b.contains("<strong>2</strong> laporan diterima"))
            #expect(try await browser.get("/petugas/monev?j=63&periode=fortnight").0 == .unprocessableEntity)
            #expect(try await browser.get("/petugas/monev?j=63&periode=quarter-5").0 == .unprocessableEntity)
        }
    }

    @Test("the drill-down list says it is filtered, and offers all complaints again")
    func drillDownTitle() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let browser = try await Browser.officer(app, "irprov")
            let (_, filtered) = try await browser.get("/petugas/aduan?j=63&dari=2026-04-01&sampai=2026-04-30")
            #expect(filtered.contains("<h1>Aduan sesuai saringan: ") && filtered.contains("1 April 2026") && !filtered.contains("2026-04-01 "))
            #expect(filtered.contains("tampilkan semua aduan dalam wewenang Anda"))
            let (_, all) = try await browser.get("/petugas/aduan")
            #expect(all.contains("<h1>Semua aduan dalam wewenang Anda</h1>"))
        }
    }

    @Test("the executive's home shows the year's headline figures of their jurisdiction, with the dashboard one click away")
    func executiveHome() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let governor = try await Browser.officer(app, "gubernur")
            let (status, home) = try await governor.get("/petugas")
            #expect(status == .ok && home.contains("Ringkasan Provinsi Kalimantan Selatan tahun 2026"))
            #expect(home.contains(#"<li data-metric="received"><strong>2</strong> laporan diterima</li>"#))
            #expect(home.contains(#"href="/petugas/monev?j=63&amp;periode=year&amp;tahun=2026""#))
            // Other officers' homes have no such summary.
            let inspector = try await Browser.officer(app, "irprov")
            #expect(try await !inspector.get("/petugas").1.contains("Ringkasan Provinsi"))
        }
    }

    @Test("small counts: a whistleblowing complaint is '< 5' for executives and the public, exact for the inspectorate")
    func smallCounts() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-08T09:00:00+08:00")!)
            _ = try await app.submit(["title": "Dugaan pungutan di loket perizinan", "type": "wbs"])
            for n in 1...4 { _ = try await app.submit(["title": "Jalan rusak nomor \(n)"]) }
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-20T09:00:00+08:00")!)
            let query = "scope=63&from=2026-01-01&to=2026-12-31"

            let inspector = try decode(try await app.get("/api/v1/monev/summary?\(query)", token: try await app.login("irprov")).1)
            if case .object(let types)? = inspector["by_type"] { #expect(types["wbs"]?.int == 1) } else { Issue.record("by_type") }
            #expect(inspector["received"]?.int == 7 && inspector["withheld"] == nil)

            let (status, body) = try await app.get("/api/v1/monev/summary?\(query)", token: try await app.login("gubernur"))
            #expect(status == .ok)
            let executive = try decode(body)
            if case .object(let types)? = executive["by_type"] { #expect(types["wbs"] == nil && types["pengaduan"]?.int == 6) }
            else { Issue.record("by_type") }
            #expect(executive["received"]?.int == 7)
            if case .object(let withheld)? = executive["withheld"], case .array(let fields)? = withheld["fields"] {
                #expect(fields.compactMap(\.string).contains("by_type.wbs") && withheld["threshold"]?.int == 5)
            } else { Issue.record("no withheld: \(body)") }

            // The pages: the inspectorate reads 1; the governor and the public read "< 5".
            let wbsRow = #"<tr><th scope="row">Pelaporan pelanggaran (WBS)</th><td>"#
            let (_, exact) = try await Browser.officer(app, "irprov").get("/petugas/monev?j=63&periode=year&tahun=2026")
            #expect(exact.contains(wbsRow + "1</td>"), "the inspector's type table")
            let (_, restricted) = try await Browser.officer(app, "gubernur").get("/petugas/monev?j=63&periode=year&tahun=2026")
            #expect(restricted.contains(wbsRow + "&lt; 5</td>") && restricted.contains("kurang dari 5 aduan"))
            let (_, stats) = try await app.get("/statistik?j=63&year=2026")
            #expect(stats.contains(wbsRow + "&lt; 5</td>") && stats.contains(#"<li data-metric="received"><strong>7</strong>"#))
            // The XLSX of the executive says "< 5" where the inspector's has the number.
            let (_, file, _) = try await Browser.officer(app, "gubernur").download("/petugas/monev.xlsx?j=63&periode=year&tahun=2026")
            #expect(try SheetCells.read(file).row("Aduan diterima")?[1].value == "7")
        }
    }

    @Test("small counts: a unit card of fewer than 5 complaints with a confidential one shows no figure, and says why")
    func unitCard() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let koord = try await app.login("koord")
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-08T09:00:00+08:00")!)
            let secret = try await app.submit(["title": "Petugas minta uang", "confidential": true]).tracking_id
            _ = try await app.act(koord, secret, "verify", ["unit": "63/dinkes"])
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-20T09:00:00+08:00")!)
            let (_, card) = try await app.get("/unit/63/dinkes?year=2026")
            #expect(card.contains(#"<li data-metric="received"><strong>&lt; 5</strong>"#) && card.contains("kurang dari 5 aduan"))
            #expect(!card.contains(#"<strong>2</strong>"#))
            // The inspector still reads the unit exactly.
            let (_, units) = try await app.get("/api/v1/monev/units?scope=63/dinkes&from=2026-01-01&to=2026-12-31", token: try await app.login("irprov"))
            #expect(units.contains(#""dispositioned":2"#))
            let (_, restricted) = try await app.get("/api/v1/monev/units?scope=63/dinkes&from=2026-01-01&to=2026-12-31", token: try await app.login("gubernur"))
            #expect(restricted.contains(#""dispositioned":null"#) && restricted.contains(#""withheld":true"#))
        }
    }

    @Test("/statistik ranks the units with figures and folds the others; the home's figures come from the same query")
    func statisticsFolded() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let (_, stats) = try await app.get("/statistik?j=63&year=2026")
            #expect(stats.contains(#"data-unit="63/dinkes""#) && !stats.contains(#"data-unit="63/dpupr""#))
            let handling = try await app.reference.get(on: app.db).tree.handlingUnits(in: ["63"]).count
            #expect(stats.contains(#"<details class="quiet-units">"#) && stats.contains("\(handling - 1) instansi lain tanpa laporan pada periode ini"))
            #expect(stats.contains(#"href="/unit/63/dpupr""#))
            // Every complaint of the installation so far: the public home says 3, as the API for the province with its
            // kabupaten/kota over all time does.
            let (_, api) = try await app.get("/api/v1/monev/summary?scope=63&include_sub=true", token: try await app.login("irprov"))
            #expect(try decode(api)["received"]?.int == 3)
            let (_, home) = try await app.get("/")
            #expect(home.contains("<li><strong>3</strong>"))
        }
    }
}
