import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

@Suite("Admin: messages — delivery, dead letters, wording")
struct AdminMessagesTests {
    static func admin(_ app: Application) async throws -> Browser {
        _ = try await app.createOfficer("admin", .sysadmin, "63")
        let browser = try await Browser.officer(app, "admin")
        try await browser.get("/petugas/admin/pesan")
        return browser
    }

    @Test("a test e-mail reaches the real SMTP server; a bad address or no server is a clear error")
    func testMail() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.stop() }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let browser = try await Self.admin(app)
            var (status, page, _) = try await browser.post("/petugas/admin/pesan/uji", ["to": "uji@example.org"])
            #expect(status == .unprocessableEntity && page.contains("Server e-mail belum diatur"))
            app.mailSettings = .loopback(port: sink.port)
            (status, _, _) = try await browser.post("/petugas/admin/pesan/uji", ["to": "bukan alamat"])
            #expect(status == .unprocessableEntity)
            (status, page, _) = try await browser.post("/petugas/admin/pesan/uji", ["to": "uji@example.org"])
            #expect(status == .ok && page.contains("E-mail uji diterima server untuk uji@example.org"))
            let mails = try sink.messages()
            #expect(mails.map(\.rcpt_tos) == [["uji@example.org"]] && mails.first?.subject == "Uji pengiriman e-mail Aduan")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "mail_test_sent").count() == 1)
        }
    }

    @Test("dead letters are listed with their error and go back to the queue, one or all")
    func deadLetters() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.submit([:])
            _ = try await app.submit([:])
            try await Worker(app: app, transport: FailingTransport()).runOnce()
            try await OutboxMessage.query(on: app.writeDB).set(\.$status, to: "dead").set(\.$attempts, to: 10).update()
            let dead = try await OutboxMessage.query(on: app.db).sort(\.$id).all()
            let browser = try await Self.admin(app)
            let (_, page) = try await browser.get("/petugas/admin/pesan")
            #expect(page.contains("Down") && page.contains("/petugas/admin/pesan/\(dead[0].id!)/ulang"))
            #expect(try await browser.post("/petugas/admin/pesan/\(dead[0].id!)/ulang", [:]).2 == "/petugas/admin/pesan?ok=messages_retried&n=1")
            let first = try #require(try await OutboxMessage.find(dead[0].id, on: app.db))
            #expect(first.status == "pending" && first.attempts == 0)
            #expect(try await browser.post("/petugas/admin/pesan/\(dead[0].id!)/ulang", [:]).0 == .notFound, "only a dead letter is retried")
            try await browser.post("/petugas/admin/pesan/ulang-semua", [:])
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$status == "dead").count() == 0)
            let recorder = RecordingTransport()
            try await Worker(app: app, transport: recorder).runOnce()
            #expect(await recorder.keys.count == dead.count)
        }
    }

    @Test("the wording is edited with a preview, used by the next message, and reset to the built-in one")
    func wording() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let browser = try await Self.admin(app)
            let path = "/petugas/admin/pesan/templat/received/id"
            var (status, page) = try await browser.get(path)
            #expect(status == .ok && page.contains("Laporan Anda telah diterima"))
            var (posted, body, _) = try await browser.post(path, ["subject": "Kami terima {id}", "body": "Halo <b>{id}</b> {nama}"])
            #expect(posted == .unprocessableEntity && body.contains("Hanya {id}"))
            (posted, body, _) = try await browser.post(path, ["subject": "Kami terima {id}", "body": "Halo <b>{id}</b>", "preview": "1"])
            #expect(posted == .ok && body.contains("[7KQ2MX9PJ] Kami terima 7KQ2MX9PJ") && body.contains("Halo &lt;b&gt;7KQ2MX9PJ&lt;/b&gt;"))
            #expect(try await MessageTemplate.query(on: app.db).count() == 0, "a preview saves nothing")
            #expect(try await browser.post(path, ["subject": "Kami terima {id}", "body": "Halo <b>{id}</b>"]).0 == .seeOther)

            let sent = try await app.submit([:])
            let row = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == "received").first())
            let mail = try #require(try await EmailTransport(app: app, settings: .loopback(port: 2525))
                .compose(OutboxSnapshot(id: row.id!, idempotencyKey: row.idempotencyKey, kind: row.kind, audience: row.audience,
                                        payload: row.payload, attempts: 0)))
            #expect(mail.subject == "[\(sent.tracking_id)] Kami terima \(sent.tracking_id)")
            #expect(mail.html.contains("Halo &lt;b&gt;\(sent.tracking_id)&lt;/b&gt;"), "the sysadmin's text is escaped in the HTML")

            #expect(try await browser.post(path + "/asli", [:]).0 == .seeOther)
            (status, page) = try await browser.get(path)
            #expect(status == .ok && page.contains("Laporan Anda telah diterima"))
            #expect(try await MessageTemplate.query(on: app.db).count() == 0)
            #expect(try await browser.get("/petugas/admin/pesan/templat/nope/id").0 == .notFound)
        }
    }

    @Test("the sysadmin sets SMTP on the page: checked like the environment, the password sealed, used by the worker; clearing goes back")
    func deliverySettings() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.stop() }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let browser = try await Self.admin(app)
            let path = "/petugas/admin/pesan/pengaturan"
            var (status, page, _) = try await browser.post(path, ["ADUAN_SMTP_HOST": "127.0.0.1", "ADUAN_SMTP_PORT": "nope", "ADUAN_SMTP_FROM": ""])
            #expect(status == .unprocessableEntity && page.contains("ADUAN_SMTP_PORT must be a port number") && page.contains("ADUAN_SMTP_FROM must be"))
            #expect(try await Setting.find(DeliverySettings.key, on: app.db) == nil)
            (status, _, _) = try await browser.post(path, ["ADUAN_SMTP_HOST": "127.0.0.1", "ADUAN_SMTP_PORT": "\(sink.port)", "ADUAN_SMTP_SECURITY": "none",
                                                          "ADUAN_SMTP_USERNAME": "", "ADUAN_SMTP_PASSWORD": "rahasia-smtp",
                                                          "ADUAN_SMTP_FROM": "Aduan Uji <uji@kalselprov.go.id>"])
            #expect(status == .seeOther)
            let row = try #require(try await Setting.find(DeliverySettings.key, on: app.db))
            #expect(!row.value.contains("rahasia-smtp"), "the password is stored sealed")
            (_, page) = try await browser.get("/petugas/admin/pesan")
            #expect(page.contains("127.0.0.1:\(sink.port)") && !page.contains("rahasia-smtp"))
            // Saving again with the password left blank keeps it.
            try await browser.post(path, ["ADUAN_SMTP_HOST": "127.0.0.1", "ADUAN_SMTP_PORT": "\(sink.port)", "ADUAN_SMTP_SECURITY": "none",
                                          "ADUAN_SMTP_FROM": "Aduan Uji <uji@kalselprov.go.id>"])
            #expect(try await DeliverySettings.stored(on: app.db, secrets: app.secrets)["ADUAN_SMTP_PASSWORD"] == "rahasia-smtp")

            // The worker's transport uses them for the next message.
            try await app.setEmail("admin", "admin@kalselprov.go.id")
            _ = try await app.createOfficer("koord", .coordinator, "63")
            try await app.setEmail("koord", "koord@kalselprov.go.id")
            _ = try await app.submit([:])
            _ = try await Worker(app: app, transport: try ChannelRouter.make(for: app)).runOnce()
            let mails = try sink.messages()
            #expect(mails.contains { $0.rcpt_tos == ["koord@kalselprov.go.id"] && $0.mail_from == "uji@kalselprov.go.id" })
            #expect(try await browser.post("/petugas/admin/pesan/uji", ["to": "uji@example.org"]).0 == .ok)

            try await browser.post(path + "/hapus", [:])
            #expect(try await Setting.find(DeliverySettings.key, on: app.db) == nil)
        }
    }
}
