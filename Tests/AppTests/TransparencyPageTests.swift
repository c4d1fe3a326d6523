import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

// The public transparency pages (SPEC §9) over one small story, driven through the API on a pinned clock
// (times in WITA; 18-24 March 2026 are holidays):
//
//   Fri 13 Mar 15:00  four complaints reach the province (63):
//                     A "Antrean panjang di RSUD" (reporter Siti), B confidential "Pungutan liar di loket"
//                     (reporter Rina), C anonymous "Lampu jalan padam" (reporter "Budi Santoso"), D "Beli obat murah".
//   Mon 16 Mar 09:00  the coordinator dispositions A and B to 63/dinkes and archives D as spam; C waits.
//   Tue 17 Mar 09:00  Dinas Kesehatan follows A up and answers it; 10:00 the reporter confirms and rates it 4.
//   Tue 31 Mar 10:00  the pages are read ("now").
//
// Stages, worked out by hand (a working day is 24 h of a working date, SPEC §5):
//   verification A, B, D: 13 Mar 15:00 -> 16 Mar 09:00 = 9 h + 9 h = 0.75 HK each, due 25 Mar: on time.
//   verification C: open, due(3) = 16, 17, 25 Mar -> 25 Mar 23:59:59: overdue now.
//   response A (dinkes): 16 Mar 09:00 -> 17 Mar 09:00 = 15 h + 9 h = 1.0 HK, on time.
//   response B (dinkes): open, due(5) = 17, 25, 26, 27, 30 Mar -> 30 Mar 23:59:59: overdue now.
//   resolution A: 1.0 HK, on time; resolution B: open, tanpa_pemeriksaan (14 HK, due 14 Apr): not yet due.
//
// So, for the province in 2026: received 4; dispositioned 2 (A, B); followed up 1/2 = 50 %; completion 1/2 = 50 %;
// satisfaction 4 (A); rated share 1/1 = 100 %; reopen 0/1 = 0 %; overdue now 2 (verification C, response B);
// verification on time 3 ÷ (3 + 1) = 75 %, median 0.75 -> "0,8"; response on time 1 ÷ (1 + 1) = 50 %, median 1;
// resolution on time 1 ÷ 1 = 100 %, median 1. Dinas Kesehatan's compliance score:
// 100 × (0.4 × 0.5 + 0.4 × 0.5 + 0.2 × (4 − 1) ÷ 4) = 100 × (0.2 + 0.2 + 0.15) = 55.
// The public list shows A and C only: B is confidential, D is spam.

private enum Story {
    static func at(_ local: String) -> Date { ISO8601DateFormatter().date(from: local + ":00+08:00")! }
    static let submitted = at("2026-03-13T15:00")
    static let decided = at("2026-03-16T09:00")
    static let answered = at("2026-03-17T09:00")
    static let confirmed = at("2026-03-17T10:00")
    static let now = at("2026-03-31T10:00")

    struct IDs { var a: String; var b: String; var c: String; var d: String }

    /// Plays the story on `app` and leaves the clock at `now`. With `confidentialB` false, B is an ordinary complaint:
    /// the figures are the same, and none is withheld as a small count of confidential complaints (SPEC §9).
    static func play(_ app: Application, confidentialB: Bool = true) async throws -> IDs {
        app.clock.set(submitted)
        _ = try await app.createOfficer("koord", .coordinator, "63")
        _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
        let a = try await app.submit(["title": "Antrean panjang di RSUD", "category": "kesehatan",
                                      "reporter": ["name": "Siti Aminah", "email": "siti@example.org"]])
        let b = try await app.submit(["title": "Pungutan liar di loket", "confidential": confidentialB,
                                      "reporter": ["name": "Rina", "email": "rina@example.org"]])
        let c = try await app.submit(["title": "Lampu jalan padam", "anonymous": true,
                                      "reporter": ["name": "Budi Santoso", "email": "budi@example.org"]])
        let d = try await app.submit(["title": "Beli obat murah", "reporter": ["name": "Spammer"]])

        // Tokens expire, and the story spans days: officers sign in when they act.
        app.clock.set(decided)
        let coordinator = try await app.login("koord")
        for id in [a.tracking_id, b.tracking_id] {
            let (status, body) = try await app.act(coordinator, id, "verify", ["unit": "63/dinkes", "category": "kesehatan"])
            #expect(status == .ok, "\(body)")
        }
        let (archived, archiveBody) = try await app.act(coordinator, d.tracking_id, "archive", ["reason": "spam"])
        #expect(archived == .ok, "\(archiveBody)")

        app.clock.set(answered)
        let liaison = try await app.login("dinkes")
        var (status, body) = try await app.act(liaison, a.tracking_id, "follow_up", ["text": "Kami periksa jadwal loket."])
        #expect(status == .ok, "\(body)")
        (status, body) = try await app.act(liaison, a.tracking_id, "respond_final", ["text": "Loket tambahan dibuka."])
        #expect(status == .ok, "\(body)")

        app.clock.set(confirmed)
        (status, body) = try await app.reporter(a.secret, a.tracking_id, "confirm", [:])
        #expect(status == .ok, "\(body)")
        (status, body) = try await app.reporter(a.secret, a.tracking_id, "feedback", ["rating": 4])
        #expect(status == .ok, "\(body)")

        app.clock.set(now)
        return IDs(a: a.tracking_id, b: b.tracking_id, c: c.tracking_id, d: d.tracking_id)
    }
}

/// A request for `url`, as the router would hand it to a controller.
private func request(_ app: Application, _ url: String) -> Request {
    Request(application: app, method: .GET, url: URI(string: url), on: app.eventLoopGroup.next())
}

/// Renders `template` with the page chrome, as `Request.page` does.
private func renderPage<Body: Encodable & Sendable>(_ app: Application, _ template: String, _ body: Body,
                                                    lang: Language = .id) async throws -> String {
    let page = Page(lang: lang.rawValue, t: app.catalog.table(lang), csrf: "test-csrf", title: "Judul", path: "/",
                    otherLang: lang == .id ? "en" : "id", otherLangName: "English", body: body)
    return String(buffer: try await app.view.render(template, page).get().data)
}

@Suite("Transparency: queries and view models")
struct TransparencyQueryTests {
    @Test("monev facts: the period, the jurisdiction of the complaint and of each stage, the unit")
    func facts() async throws {
        try await TestHarness.withApp { app in
            // Given the story and one more complaint forwarded from the province to Kota Banjarmasin
            let ids = try await Story.play(app)
            let coordinator = try await app.login("koord")
            let moved = try await app.submit(["title": "Jalan kota rusak"])
            let (status, body) = try await app.act(coordinator, moved.tracking_id, "forward_jurisdiction", ["jurisdiction": "63.71"])
            #expect(status == .ok, "\(body)")
            let year = (Story.at("2026-01-01T00:00"), Story.at("2027-01-01T00:00"))

            // When the province's facts are read
            let (complaints, stages) = try await MonevQuery.facts(on: app.db, jurisdictions: ["63"], unit: nil, from: year.0, to: year.1)

            // Then the forwarded complaint counts in 63.71, but its first verification stage stays with 63
            #expect(Set(complaints.map(\.trackingID)) == [ids.a, ids.b, ids.c, ids.d])
            #expect(stages.filter { $0.kind == .verification }.count == 5)   // A B C D + the forwarded one's first
            #expect(stages.filter { $0.kind == .response }.count == 2)       // A, B
            #expect(stages.filter { $0.kind == .resolution }.count == 2)
            let a = try #require(complaints.first { $0.trackingID == ids.a })
            #expect(a.state == .selesai && a.unit == "63/dinkes" && a.rating == 4 && a.dispositionCount == 1 && a.category == "kesehatan")
            let d = try #require(complaints.first { $0.trackingID == ids.d })
            #expect(d.archiveReason == .spam)
            let responseA = try #require(stages.first { $0.complaintTrackingID == ids.a && $0.kind == .response })
            #expect(responseA.startedAt == Story.decided && responseA.endedAt == Story.answered && responseA.late == false)
            #expect(responseA.unit == "63/dinkes" && responseA.jurisdiction == "63")

            let (kota, kotaStages) = try await MonevQuery.facts(on: app.db, jurisdictions: ["63.71"], unit: nil, from: year.0, to: year.1)
            #expect(kota.map(\.trackingID) == [moved.tracking_id])
            #expect(kotaStages.map(\.kind) == [.verification])

            // And a unit's facts are its complaints and its stages only
            let (unit, unitStages) = try await MonevQuery.facts(on: app.db, jurisdictions: nil, unit: "63/dinkes", from: year.0, to: year.1)
            #expect(Set(unit.map(\.trackingID)) == [ids.a, ids.b])
            #expect(unitStages.count == 4 && unitStages.allSatisfy { $0.unit == "63/dinkes" })

            // And a period before the story holds nothing
            let (none, noStages) = try await MonevQuery.facts(on: app.db, jurisdictions: nil, unit: nil,
                                                              from: Story.at("2025-01-01T00:00"), to: Story.at("2026-01-01T00:00"))
            #expect(none.isEmpty && noStages.isEmpty)
        }
    }

    @Test("the list shows public complaints only, never a reporter, and filters and searches")
    func list() async throws {
        // About what a public reader sees of a published complaint, not about when it is published (VisibilityQueryTests): at submission.
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            let ids = try await Story.play(app)

            let all = try await TransparencyController.listView(request(app, "/laporan"))
            // Newest first; A and C were submitted at the same instant, so the later id comes first
            #expect(Set(all.rows.map(\.link)) == [SiteURL.publicComplaint(ids.a).path, SiteURL.publicComplaint(ids.c).path])
            #expect(all.resultText == "2 laporan ditemukan.")
            let html = try await renderPage(app, "complaints", all)
            #expect(html.contains("Antrean panjang di RSUD") && html.contains("Lampu jalan padam"))
            #expect(!html.contains("Pungutan liar"))                                   // confidential
            #expect(!html.contains("Beli obat murah"))                                 // spam
            for identity in ["Siti", "Aminah", "Budi Santoso", "Rina", "siti@example.org", "budi@example.org"] {
                #expect(!html.contains(identity), "the list shows \(identity)")
            }
            #expect(html.contains(#"href="/unit/63/dinkes""#) && html.contains("Dinas Kesehatan"))
            #expect(html.contains("Belum didisposisikan"))                              // C has no unit yet
            #expect(html.contains(#"<time datetime="2026-03-13">13 Mar 2026</time>"#))
            #expect(html.contains(#"<label for="list-q">"#) && html.contains(#"<label for="list-state">"#))
            #expect(html.contains("<caption") && html.contains(#"<th scope="col">"#) && html.contains(#"<th scope="row">"#))

            let done = try await TransparencyController.listView(request(app, "/laporan?state=selesai&jurisdiction=63"))
            #expect(done.rows.map(\.link) == [SiteURL.publicComplaint(ids.a).path])
            #expect(done.states.first { $0.selected }?.value == "selesai")
            let byUnit = try await TransparencyController.listView(request(app, "/laporan?unit=63%2Fdinkes"))
            #expect(byUnit.rows.map(\.link) == [SiteURL.publicComplaint(ids.a).path])   // B is the unit's too, but confidential
            let searched = try await TransparencyController.listView(request(app, "/laporan?q=lampu"))
            #expect(searched.rows.map(\.link) == [SiteURL.publicComplaint(ids.c).path])
            let byID = try await TransparencyController.listView(request(app, "/laporan?q=\(ids.a.lowercased())"))
            #expect(byID.rows.map(\.link) == [SiteURL.publicComplaint(ids.a).path])
            let secret = try await TransparencyController.listView(request(app, "/laporan?q=pungutan"))
            #expect(secret.rows.isEmpty && secret.resultText == "Tidak ada laporan yang cocok.")

            // Unknown filter values are dropped, not refused
            let odd = try await TransparencyController.listView(request(app, "/laporan?state=nope&unit=99/x&page=abc&category=%25"))
            #expect(odd.rows.count == 2 && !odd.hasFilters)
        }
    }

    @Test("the list pages by 20 and keeps its filters in the page links")
    func paging() async throws {
        // About what a public reader sees of a published complaint, not about when it is published (VisibilityQueryTests): at submission.
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            app.clock.set(Story.submitted)
            for n in 1...21 { _ = try await app.submit(["title": "Keluhan nomor \(n)"]) }
            let first = try await TransparencyController.listView(request(app, "/laporan?q=keluhan"))
            #expect(first.rows.count == 20 && first.pageText == "Halaman 1 dari 2")
            #expect(first.previous == nil && first.next == "/laporan?q=keluhan&page=2")
            let second = try await TransparencyController.listView(request(app, "/laporan?q=keluhan&page=2"))
            #expect(second.rows.count == 1 && second.previous == "/laporan?q=keluhan" && second.next == nil)
            #expect(Set(first.rows.map(\.link)).isDisjoint(with: second.rows.map(\.link)))
            let html = try await renderPage(app, "complaints", first)
            #expect(html.contains(#"href="/laporan?q=keluhan&amp;page=2" rel="next""#))
        }
    }

    @Test("the unit report card counts the unit's complaints and stages as monev does")
    func unitCard() async throws {
        try await TestHarness.withApp { app in
            _ = try await Story.play(app, confidentialB: false)
            let card = try await TransparencyController.unitCardView(request(app, "/unit/63/dinkes"), unit: "63/dinkes")
            #expect(card.name == "Dinas Kesehatan" && card.parent == nil && card.hasChildren)
            #expect(card.year == 2026)
            let figures = Dictionary(uniqueKeysWithValues: card.figures.map { ($0.label, $0.value) })
            #expect(figures["laporan ditangani"] == "2")                       // A, B
            #expect(figures["ditindaklanjuti"] == "50%")                       // A of A, B
            #expect(figures["selesai"] == "50%")
            #expect(figures["respons pertama tepat waktu"] == "50%")           // A on time, B open past due
            #expect(figures["median waktu respons pertama"] == "1 hari kerja")
            #expect(figures["jawaban akhir tepat waktu"] == "100%")
            #expect(figures["median waktu sampai jawaban akhir"] == "1 hari kerja")
            #expect(figures["kepuasan pelapor"] == "4 dari 5")
            #expect(figures["tahap melewati batas waktu saat ini"] == "1")     // response B
            #expect(figures["skor kepatuhan (0–100)"] == "55")
            let html = try await renderPage(app, "unit", card)
            #expect(html.contains("Dinas Kesehatan") && html.contains("4 dari 5") && html.contains("55"))
            #expect(html.contains(#"<label for="card-year">"#) && html.contains(#"<option value="2026" selected>"#))
            #expect(html.contains(#"href="/laporan?unit=63%2Fdinkes""#))
            #expect(!html.contains("Pungutan liar") && !html.contains("Rina"))

            // An earlier year has nothing; a unit that does not exist is a 404
            let quiet = try await TransparencyController.unitCardView(request(app, "/unit/63/dinkes?year=2025"), unit: "63/dinkes")
            #expect(quiet.year == 2025 && !quiet.hasComplaints)
            await #expect(throws: AppError.self) {
                _ = try await TransparencyController.unitCardView(request(app, "/unit/63/tidak-ada"), unit: "63/tidak-ada")
            }
        }
    }

    @Test("statistics: the summary, timeliness, charts with text alternatives and the units ranked by score")
    func statistics() async throws {
        try await TestHarness.withApp { app in
            _ = try await Story.play(app, confidentialB: false)
            let view = try await TransparencyController.statisticsView(request(app, "/statistik?j=63&year=2026"))
            #expect(view.jurisdictionCode == "63" && view.year == 2026)
            #expect(view.headline.map(\.value) == ["4", "2", "50%", "50%", "4 dari 5", "2"])
            #expect(view.stages.map(\.onTime) == ["75%", "50%", "100%"])
            #expect(view.stages.map(\.median) == ["0,8", "1", "1"])
            #expect(view.others.map(\.value) == ["0%", "100%", "1", "0"])      // reopen, rated share, archived, forwarded
            #expect(view.others[2].note == "spam 1")
            let states = try #require(view.charts.first { $0.id == "chart-state" })
            #expect(states.svg.contains("Selesai: 1"))
            #expect(states.rows.count == ComplaintState.allCases.count)
            #expect(states.rows.map(\.values[0]).reduce(0) { $0 + Int($1)! } == 4)
            let top = try #require(view.units.first)
            #expect(top.link == "/unit/63/dinkes" && top.score == "55" && top.dispositioned == "2" && top.overdue == "1")
            // No other unit holds a complaint: they are folded under the ranking, by name.
            #expect(view.units.count == 1 && view.quietUnits.contains { $0.href == "/unit/63/dpupr" })

            let html = try await renderPage(app, "statistics", view)
            #expect(html.contains(#"class="chart" id="chart-state""#) && html.contains(#"role="img""#))
            #expect(html.contains(#"<title id="chart-state-title">"#) && html.contains(#"<desc id="chart-state-desc">"#))
            #expect(html.contains(##"fill="#0b5c4a""##))
            #expect(html.contains("<caption") && html.contains(#"<th scope="row">"#))
            #expect(html.contains(#"<label for="stats-j">"#) && html.contains(#"<label for="stats-year">"#))
            #expect(!html.contains("<script>"))  // no inline script (CSP)

            let english = try await TransparencyController.statisticsView(request(app, "/statistik?j=63&year=2026&lang=en"))
            #expect(english.headline.map(\.value) == ["4", "2", "50%", "50%", "4 out of 5", "2"])
            #expect(english.stages.map(\.median) == ["0.8", "1", "1"])
            let englishHTML = try await renderPage(app, "statistics", english, lang: .en)
            #expect(englishHTML.contains("Agency performance"))

            // The default is the province this year; a year out of range falls back to this year
            let plain = try await TransparencyController.statisticsView(request(app, "/statistik?year=1900"))
            #expect(plain.jurisdictionCode == "63" && plain.year == 2026)
            await #expect(throws: AppError.self) {
                _ = try await TransparencyController.statisticsView(request(app, "/statistik?j=99"))
            }
        }
    }

    @Test("compliance weights come from the settings")
    func weightsSetting() async throws {
        try await TestHarness.withApp { app in
            _ = try await Story.play(app, confidentialB: false)
            try await Setting(key: MonevQuery.weightsSetting, value: #"{"response": 1, "completion": 0, "satisfaction": 0}"#,
                              updatedAt: Story.now).create(on: app.db)
            let view = try await TransparencyController.statisticsView(request(app, "/statistik?j=63&year=2026"))
            // Only response on time counts: 100 × 0.5
            #expect(view.units.first?.score == "50")
            #expect(view.scoreNote.contains("100%"))
        }
    }

    @Test("numbers are written the Indonesian or the English way")
    func numbers() {
        let id = FigureViews.Numbers(language: .id), en = FigureViews.Numbers(language: .en)
        #expect(id.count(1_234_567) == "1.234.567" && en.count(1_234_567) == "1,234,567" && id.count(12) == "12")
        #expect(id.percent(9.0 / 11) == "81,8%" && en.percent(9.0 / 11) == "81.8%" && id.percent(0.5) == "50%")
        #expect(id.decimal(72.5) == "72,5" && id.decimal(nil) == "—" && id.percent(nil) == "—" && id.decimal(0.04) == "0")
        #expect(FigureViews.link("/laporan", [("unit", "63/dinkes"), ("q", "a&b c")]) == "/laporan?unit=63%2Fdinkes&q=a%26b%20c")
    }
}

/// These go through the router: they pass once the three routes are registered in `routes.swift`.
@Suite("Transparency pages over HTTP")
struct TransparencyHTTPTests {
    @Test("the three pages answer, in both languages, with the security headers")
    func pages() async throws {
        try await TestHarness.withApp { app in
            let ids = try await Story.play(app)
            var (status, html) = try await app.get("/laporan")
            #expect(status == .ok)
            #expect(html.contains(ids.a) || html.contains(TrackingID(ids.a)!.formatted))
            #expect(!html.contains("Pungutan liar") && !html.contains("Budi Santoso"))
            (status, html) = try await app.get("/laporan?state=nope&page=-3&lang=en")
            #expect(status == .ok && html.contains("Public complaints"))

            // Dinas Kesehatan holds A and the confidential B: two complaints, one confidential, so no figure is shown.
            (status, html) = try await app.get("/unit/63/dinkes")
            #expect(status == .ok && html.contains("<strong>&lt; 5</strong>") && !html.contains("4 dari 5"))
            (status, html) = try await app.get("/unit/63/tidak-ada")
            #expect(status == .notFound && html.contains("Instansi tidak ditemukan"))

            (status, html) = try await app.get("/statistik?j=63&year=2026")
            #expect(status == .ok && html.contains("<svg") && html.contains("Statistik Provinsi"))
            (status, html) = try await app.get("/statistik?j=63.71&year=abc")
            #expect(status == .ok)
            (status, _) = try await app.get("/statistik?j=nope")
            #expect(status == .notFound)

            try await app.testing().test(.GET, "/statistik", afterResponse: { res in
                #expect(res.status == .ok)
                #expect(res.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true)
                #expect(res.headers.contentType?.subType == "html")
            })
        }
    }
}
