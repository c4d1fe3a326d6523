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
}
