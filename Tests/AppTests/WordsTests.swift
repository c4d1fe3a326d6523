import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import App

// Issue 19, fix 8: codes shown to people in words. The expected words are the catalogue's and the shipped mail
// subjects as written in Sources/App/Resources/i18n and MailTemplates, typed here by hand.

@Suite("Words, not codes (issue 19, fix 8)")
struct WordsTests {
    @Test("webhook events and message kinds are named in the page's language, the code kept beside them")
    func webhookEventsAndMessageKinds() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let admin = try await Browser.officer(app, "admin")
            let (posted, body, _) = try await admin.post("/petugas/admin/pesan/webhook",
                                                        ["name": "Dasbor Kalsel", "url": "https://dasbor.example.org/aduan", "jurisdiction": "63",
                                                         "action_verify": "1", "action_respond_final": "1"])
            #expect(posted == .ok, "\(body.prefix(300))")
            let (_, list) = try await admin.get("/petugas/admin/pesan/webhook")
            #expect(list.contains("<td>Jawaban akhir, Diverifikasi dan diteruskan</td>"), "\(list)")
            #expect(!list.contains("respond_final, verify"))
            let (_, listEn) = try await admin.get("/petugas/admin/pesan/webhook?lang=en")
            #expect(listEn.contains("<td>Final answer, Verified and passed on</td>"))
            let id = try #require(try await WebhookSubscription.query(on: app.db).first()?.id)
            let (_, form) = try await admin.get("/petugas/admin/pesan/webhook/\(id)")
            #expect(form.contains("Jawaban akhir <code>respond_final</code>"))

            let (_, messages) = try await admin.get("/petugas/admin/pesan")
            #expect(messages.contains("<td>Laporan Anda telah diterima <code>received</code></td>"))
            let (_, messagesEn) = try await admin.get("/petugas/admin/pesan?lang=en")
            #expect(messagesEn.contains("<td>Your report has been received <code>received</code></td>"))
        }
    }

    @Test("a tracking page without an address shows no empty address row")
    func noEmptyAddress() async throws {
        try await TestHarness.withApp { app in
            let token = try await app.createOfficer("koord", .coordinator, "63")
            let bare = try await app.submit(["address": "   "])
            let placed = try await app.submit(["address": "Jl. Ahmad Yani km 5"])
            for c in [bare, placed] { #expect(try await app.act(token, c.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .ok) }
            let (_, without) = try await app.get("/t/\(bare.tracking_id)")
            let (_, with) = try await app.get("/t/\(placed.tracking_id)")
            let label = app.catalog.text("form_address", .id)
            #expect(with.contains("<dt>\(label)</dt><dd>Jl. Ahmad Yani km 5</dd>"))
            #expect(!without.contains("<dt>\(label)</dt>"), "\(without)")
        }
    }

    @Test("the incident date on the complaint page is written in the page's language, not as 2026-12-02")
    func incidentDate() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let c = try await app.submit(["incident_date": "2026-12-02"])
            let koord = try await Browser.officer(app, "koord")
            let (_, page) = try await koord.get("/petugas/aduan/\(c.tracking_id)")
            #expect(page.contains("<dd>2 Desember 2026</dd>") && !page.contains("2026-12-02</dd>"))
            let (_, pageEn) = try await koord.get("/petugas/aduan/\(c.tracking_id)?lang=en")
            #expect(pageEn.contains("<dd>2 December 2026</dd>"))
        }
    }

    @Test("a LAPOR row the import refuses is named by its reason in the page's language, the code beside it")
    func laporImportReasons() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let koord = try await Browser.officer(app, "koord")
            let bad = try LaporImportTests.fixture("lapor-export-bad.csv")
            let (_, page) = try await koord.postFile("/petugas/impor-ekspor/lapor", fields: ["jurisdiction": "63", "mode": "check"], filename: "buruk.csv", bad)
            #expect(page.contains("<td class=\"chronology\">Tidak ada nomor LAPOR! (kolom “Tracking ID” kosong). <code>no_number</code></td>"), "\(page)")
            #expect(page.contains("<td>sudah ada di baris 2</td>"))
            let (_, pageEn) = try await koord.postFile("/petugas/impor-ekspor/lapor?lang=en", fields: ["jurisdiction": "63", "mode": "check"],
                                                       filename: "buruk.csv", bad)
            #expect(pageEn.contains("<td class=\"chronology\">No LAPOR! number (the “Tracking ID” cell is empty). <code>no_number</code></td>"), "\(pageEn)")
            #expect(pageEn.contains("<td>already on line 2</td>") && !pageEn.contains("Tidak ada nomor"))
        }
    }

    @Test("days on the administration pages are written in words in the page's language, never as 2027-01-15")
    func adminDays() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(Date(timeIntervalSince1970: 1_800_000_000))   // 15 January 2027
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let admin = try await Browser.officer(app, "admin")
            let key = try await APIKeys.create(app, name: "Dasbor", scopes: [.readPublic])
            let (_, usage) = try await admin.get("/petugas/admin/kunci-api/\(key.id.uuidString.lowercased())")
            #expect(usage.contains("<th scope=\"row\">15 Januari 2027</th>") && !usage.contains("2027-01-15"), "\(usage)")
            let (_, usageEn) = try await admin.get("/petugas/admin/kunci-api/\(key.id.uuidString.lowercased())?lang=en")
            #expect(usageEn.contains("<th scope=\"row\">15 January 2027</th>") && !usageEn.contains("2027-01-15"))

            // A holiday file with the same day twice: the refusal names the day in words.
            let twice = "date,name,kind\n2027-06-20,Hari Jadi,libur_daerah\n2027-06-20,Hari Jadi lagi,libur_daerah\n"
            try await admin.get("/petugas/admin/kalender/63")
            let (_, refused, _) = try await admin.upload("/petugas/admin/kalender/63/impor", filename: "libur.csv", twice)
            #expect(refused.contains("tanggal 20 Juni 2027 sudah ada di baris") && !refused.contains("2027-06-20"), "\(refused)")
            let (_, refusedEn, _) = try await admin.upload("/petugas/admin/kalender/63/impor?lang=en", filename: "libur.csv", twice)
            #expect(refusedEn.contains("the date 20 June 2027 already appears on line") && !refusedEn.contains("2027-06-20"))
        }
    }

    @Test("a yearly period on the monev pages carries no month-or-quarter number, in the form, the links or the report")
    func yearlyPeriod() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let ir = try await Browser.officer(app, "irprov")
            for (path, language) in [("/petugas/monev?j=63&periode=year&tahun=2026", "id"), ("/petugas/monev?j=63&periode=year&tahun=2026&lang=en", "en"),
                                     ("/petugas/monev/laporan?j=63&periode=year&tahun=2026", "id"),
                                     ("/petugas/monev/laporan?j=63&periode=year&tahun=2026&lang=en", "en")] {
                let (status, page) = try await ir.get(path)
                #expect(status == .ok)
                #expect(page.contains(language == "id" ? "Laporan yang dikirim pada tahun 2026" : "Complaints submitted in 2026"), "\(path)")
                #expect(!page.contains("Bulan/triwulan ke-") && !page.contains("Month/quarter no."), "\(path)")
                #expect(!page.contains("&amp;ke=") && !page.contains(#"name="ke""#), "\(path)")
            }
            // A month keeps its number.
            let (_, month) = try await ir.get("/petugas/monev?j=63&periode=month-4&tahun=2026")
            #expect(month.contains("periode=month&amp;tahun=2026&amp;ke=4"))
        }
    }

    @Test("the drill-down list's heading names its filters, never 'all complaints' while filtered")
    func drillDownHeading() async throws {
        try await TestHarness.withApp { app in
            _ = try await MonevTests.installation(app)
            let ir = try await Browser.officer(app, "irprov")
            func heading(_ page: String) -> String {
                guard let start = page.range(of: "<h1>"), let end = page.range(of: "</h1>", range: start.upperBound..<page.endIndex) else { return "" }
                return String(page[start.upperBound..<end.lowerBound])
            }
            let query = "/petugas/aduan?j=63&dari=2026-04-01&sampai=2026-04-30&state=selesai&terlambat=1"
            let id = heading(try await ir.get(query).1)
            #expect(id.hasPrefix("Aduan sesuai saringan: ") && id.contains("Rabu, 1 April 2026 – Kamis, 30 April 2026"), "\(id)")
            #expect(id.contains(" · Selesai · terlambat") && !id.contains("semua aduan") && !id.contains("2026-04-01"))
            let en = heading(try await ir.get(query + "&lang=en").1)
            #expect(en.hasPrefix("Filtered complaints: ") && en.contains("Wednesday, 1 April 2026 – Thursday, 30 April 2026"), "\(en)")
            #expect(en.contains(" · Completed · overdue") && !en.contains("All complaints"))
            // A search and "mine" are named too; without any filter the heading says all complaints.
            let searched = heading(try await ir.get("/petugas/aduan?q=jalan&milik=saya").1)
            #expect(searched == "Aduan sesuai saringan: milik saya · berisi “jalan”", "\(searched)")
            #expect(heading(try await ir.get("/petugas/aduan").1) == "Semua aduan dalam wewenang Anda")
        }
    }

    @Test("/statistik lists the units with figures and folds the others under one line, without JavaScript, in both languages")
    func quietUnitsFolded() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(Date(timeIntervalSince1970: 1_775_005_200))   // 1 April 2026
            let token = try await app.createOfficer("koord", .coordinator, "63")
            let c = try await app.submit(["category": "kesehatan"])
            #expect(try await app.act(token, c.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .ok)
            for (query, summary) in [("", " instansi lain tanpa laporan pada periode ini</summary>"), ("&lang=en", " other agencies without complaints in this period</summary>")] {
                let (_, page) = try await app.get("/statistik?j=63&year=2026" + query)
                #expect(page.contains(#"<tr data-unit="63/dinkes""#) && !page.contains(#"<tr data-unit="63/dpupr""#), "\(page)")
                let start = try #require(page.range(of: #"<details class="quiet-units">"#))
                let end = try #require(page.range(of: "</details>", range: start.upperBound..<page.endIndex))
                let folded = page[start.upperBound..<end.lowerBound]
                #expect(folded.contains(summary) && folded.contains(#"<a href="/unit/63/dpupr">"#) && !folded.contains("63/dinkes"))
                #expect(!folded.contains("—") && !folded.contains("<script"))
            }
        }
    }

    @Test("category names are in English on English pages where the category has an English name, Indonesian otherwise")
    func categoryNames() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(Date(timeIntervalSince1970: 1_775_005_200))   // 1 April 2026
            let token = try await app.createOfficer("koord", .coordinator, "63")
            // A category added here without an English name keeps its Indonesian name on English pages.
            try await Category(code: "uji", parentCode: nil, name: "Kategori Uji", resolutionClass: "sederhana").create(on: app.db)
            app.reference.invalidate()
            let c = try await app.submit(["category": "kesehatan.rs"])
            #expect(try await app.act(token, c.tracking_id, "verify", ["unit": "63/dinkes", "category": "kesehatan.rs"]).0 == .ok)
            let koord = try await Browser.officer(app, "koord")

            let (_, form) = try await app.get("/lapor")
            #expect(form.contains("— Pelayanan Rumah Sakit</option>") && form.contains(#"<optgroup label="Kesehatan">"#))
            let (_, formEn) = try await app.get("/lapor?lang=en")
            #expect(formEn.contains("— Hospital Services</option>") && formEn.contains(#"<optgroup label="Health">"#), "\(formEn)")
            #expect(formEn.contains("— Roads and Bridges</option>"))
            #expect(formEn.contains(#"<optgroup label="Kategori Uji">"#) && !formEn.contains("Pelayanan Rumah Sakit"))

            let (_, page) = try await koord.get("/petugas/aduan/\(c.tracking_id)")
            #expect(page.contains("<dd>Pelayanan Rumah Sakit</dd>"))
            let (_, pageEn) = try await koord.get("/petugas/aduan/\(c.tracking_id)?lang=en")
            #expect(pageEn.contains("<dd>Hospital Services</dd>") && !pageEn.contains("Pelayanan Rumah Sakit"), "\(pageEn)")

            let (_, stats) = try await app.get("/statistik?j=63&year=2026&lang=en")
            #expect(stats.contains("Health › Hospital Services") && !stats.contains("Kesehatan › Pelayanan Rumah Sakit"))
            let (_, list) = try await app.get("/laporan?lang=en")
            #expect(list.contains(">Health › Hospital Services</option>") && list.contains(">Kategori Uji</option>"))
        }
    }

    @Test("aduan seed gives the shipped categories of an older installation their English names, and keeps one already set")
    func seedFillsEnglishNames() async throws {
        try await TestHarness.withApp { app in
            let health = try #require(try await Category.find("kesehatan", on: app.db))
            health.nameEn = nil
            try await health.update(on: app.db)
            let roads = try #require(try await Category.find("infrastruktur.jalan", on: app.db))
            roads.nameEn = "Roads"
            try await roads.update(on: app.db)
            _ = try await ReferenceSeeder.seed(on: app.db)
            #expect(try await Category.find("kesehatan", on: app.db)?.nameEn == "Health")
            #expect(try await Category.find("infrastruktur.jalan", on: app.db)?.nameEn == "Roads")
        }
    }
}
