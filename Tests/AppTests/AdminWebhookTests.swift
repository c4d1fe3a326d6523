import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

// The sysadmin's webhook pages under /petugas/admin/pesan/webhook (docs/interop.md, "Outbound webhooks").

private func signedIn(_ app: Application, _ username: String) async throws -> Browser {
    let browser = Browser(app)
    try await browser.get("/petugas/masuk")
    let (status, body, _) = try await browser.post("/petugas/masuk", ["username": username, "password": "password-\(username)"])
    #expect(status == .seeOther, "\(body.prefix(300))")
    return browser
}

private func audits(_ app: Application, _ action: String) async throws -> [AuditEntry] {
    try await AuditEntry.query(on: app.db).filter(\.$action == action).all()
}

private func subscriptions(_ app: Application) async throws -> String {
    try await WebhookSubscription.query(on: app.db).sort(\.$id).all()
        .map { "\($0.id!) \($0.name) \($0.url) \($0.events) \($0.jurisdictionCode) \($0.includeSub) \($0.active) \($0.secretSealed)" }
        .joined(separator: "\n")
}

@Suite("Admin: webhooks", .serialized)
struct AdminWebhookTests {
    @Test("create shows the secret once and stores it sealed; bad input is refused next to its field and creates nothing; all audited")
    func create() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let browser = try await signedIn(app, "admin")
            var (status, page) = try await browser.get("/petugas/admin/pesan")
            #expect(status == .ok && page.contains(#"href="/petugas/admin/pesan/webhook""#))
            (status, page) = try await browser.get("/petugas/admin/pesan/webhook")
            #expect(status == .ok && page.contains(#"aria-current="page""#) && page.contains("Belum ada langganan"))

            // Bad input: nothing is created, each problem is next to its field.
            var (posted, body, _) = try await browser.post("/petugas/admin/pesan/webhook",
                                                           ["name": "Dasbor", "url": "ftp://dasbor.example.org", "jurisdiction": "63", "secret": "pendek",
                                                            "action_note": "1"])
            #expect(posted == .unprocessableEntity)
            #expect(body.contains(#"id="wh-url-error""#) && body.contains(#"id="wh-secret-error""#) && body.contains(#"id="wh-actions-error""#) == false)
            #expect(try await subscriptions(app).isEmpty)

            (posted, body, _) = try await browser.post("/petugas/admin/pesan/webhook",
                                                       ["name": "Dasbor Kalsel", "url": "https://dasbor.example.org/aduan", "jurisdiction": "63",
                                                        "include_sub": "1", "action_verify": "1", "action_respond_final": "1"])
            #expect(posted == .ok, "\(body.prefix(300))")
            let subscription = try #require(try await WebhookSubscription.query(on: app.db).first())
            let shown = try #require(body.range(of: #"<code id="wh-new-secret">"#).map { String(body[$0.upperBound...].prefix { $0 != "<" }) })
            #expect(shown.hasPrefix("whsec_") && shown.count > 20)
            #expect(try subscription.openSecret(app.secrets) == shown && !subscription.secretSealed.contains(shown))
            #expect(subscription.events == "respond_final,verify" && subscription.includeSub && subscription.active)
            #expect(try await audits(app, "webhook_created").count == 1)
            // Shown once: never again.
            let (_, list) = try await browser.get("/petugas/admin/pesan/webhook")
            let (_, one) = try await browser.get("/petugas/admin/pesan/webhook/\(subscription.id!)")
            #expect(list.contains("Dasbor Kalsel") && !list.contains(shown) && !one.contains(shown))

            // The sysadmin may also set the secret.
            (posted, _, _) = try await browser.post("/petugas/admin/pesan/webhook", ["name": "Bot", "url": "http://127.0.0.1:9/x", "jurisdiction": "63.01",
                                                                                      "secret": "rahasia-sendiri-0123456789"])
            #expect(posted == .ok)
            let bot = try #require(try await WebhookSubscription.query(on: app.db).filter(\.$name == "Bot").first())
            #expect(try bot.openSecret(app.secrets) == "rahasia-sendiri-0123456789" && bot.events == "*" && !bot.includeSub)
        }
    }

    @Test("edit, deactivate and reactivate: saved, audited, the secret kept unless a new one is typed")
    func editAndDeactivate() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let receiver = try await FakeWebhookReceiver()
            defer { Task { try? await receiver.stop() } }
            let subscription = try await app.subscribe("dasbor", receiver: receiver)
            let sealed = subscription.secretSealed
            let browser = try await signedIn(app, "admin")
            let path = "/petugas/admin/pesan/webhook/\(subscription.id!)"
            try await browser.get(path)
            var (status, body, location) = try await browser.post(path, ["name": "Dasbor Baru", "url": receiver.base + "dasbor", "jurisdiction": "63.01",
                                                                         "action_submit": "1"])
            #expect(status == .seeOther && location?.hasPrefix(path) == true, "\(body.prefix(300))")
            var row = try #require(try await WebhookSubscription.find(subscription.id, on: app.db))
            #expect(row.name == "Dasbor Baru" && row.jurisdictionCode == "63.01" && row.events == "submit" && !row.includeSub && row.secretSealed == sealed)
            (status, body, _) = try await browser.post(path, ["name": "Dasbor Baru", "url": "bukan alamat", "jurisdiction": "63"])
            #expect(status == .unprocessableEntity && body.contains(#"id="wh-url-error""#))
            #expect(try await WebhookSubscription.find(subscription.id, on: app.db)?.url == receiver.base + "dasbor")

            (status, _, _) = try await browser.post(path + "/nonaktifkan", [:])
            row = try #require(try await WebhookSubscription.find(subscription.id, on: app.db))
            #expect(status == .seeOther && !row.active)
            (status, _, _) = try await browser.post(path + "/aktifkan", [:])
            #expect(try await WebhookSubscription.find(subscription.id, on: app.db)?.active == true)
            for action in ["webhook_updated", "webhook_deactivated", "webhook_activated"] {
                #expect(try await audits(app, action).count == 1, "\(action)")
            }
            #expect(try await browser.get("/petugas/admin/pesan/webhook/999").0 == .notFound)
        }
    }

    @Test("send test event shows the receiver's status and time, never its words; the page lists recent deliveries and dead letters, which the dead-letter retry sends again")
    func testEventAndDeliveries() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let receiver = try await FakeWebhookReceiver()
            defer { Task { try? await receiver.stop() } }
            let subscription = try await app.subscribe("dasbor", receiver: receiver)
            let browser = try await signedIn(app, "admin")
            let path = "/petugas/admin/pesan/webhook/\(subscription.id!)"
            try await browser.get(path)

            var (status, body, _) = try await browser.post(path + "/uji", [:])
            #expect(status == .ok && body.contains("HTTP 200 · ") && body.contains(" ms"))
            #expect(!body.contains("received"), "the receiver's answer is not shown")
            var calls = await receiver.log.calls
            #expect(calls.count == 1 && calls[0].signatureValid && calls[0].json["action"] as? String == "test")
            await receiver.log.script([.serviceUnavailable])
            (status, body, _) = try await browser.post(path + "/uji", [:])
            #expect(status == .ok && body.contains("HTTP 503") && !body.contains("refused"))
            // A receiver that does not answer at all.
            let gone = try await WebhookAdmin.create(.init(name: "Mati", url: "http://127.0.0.1:9/hook", secret: "", actions: [], jurisdiction: "63",
                                                           includeSub: false), actor: "test", app: app, on: app.db).0
            (status, body, _) = try await browser.post("/petugas/admin/pesan/webhook/\(gone.id!)/uji", [:])
            #expect(status == .ok && body.contains("tidak terjangkau"))
            #expect(try await audits(app, "webhook_tested").count == 3)
            // A test sends now and queues nothing.
            #expect(try await app.webhookRows().isEmpty)
            gone.active = false
            try await gone.update(on: app.db)

            let first = try await app.submit()
            _ = try await app.submit()
            await receiver.log.script([.badRequest])
            _ = try await app.webhookWorker().runOnce()
            let dead = try #require(try await app.webhookRows().first { $0.status == "dead" })
            #expect(dead.idempotencyKey.hasPrefix(first.tracking_id))
            (_, body) = try await browser.get(path)
            #expect(body.contains(dead.idempotencyKey) && body.contains(#"action="/petugas/admin/pesan/\#(dead.id!)/ulang""#))
            #expect(body.contains("HTTP 200 in") && !body.contains("received"))   // the other delivery: status and time only

            try await browser.post("/petugas/admin/pesan/\(dead.id!)/ulang", [:])
            _ = try await app.webhookWorker().runOnce()
            #expect(try await OutboxMessage.find(dead.id, on: app.db)?.status == "sent")
            calls = await receiver.log.calls
            #expect(calls.filter { $0.headers.first(name: "Idempotency-Key") == dead.idempotencyKey }.count == 2)
        }
    }

    @Test("without the form token nothing changes; a kabupaten's sysadmin and other officers are refused")
    func refusals() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            _ = try await app.createOfficer("admin6301", .sysadmin, "63.01")
            let receiver = try await FakeWebhookReceiver()
            defer { Task { try? await receiver.stop() } }
            let subscription = try await app.subscribe("dasbor", receiver: receiver)
            let before = try await subscriptions(app)
            let path = "/petugas/admin/pesan/webhook/\(subscription.id!)"
            let browser = try await signedIn(app, "admin")
            try await browser.get(path)
            browser.token = "forged"
            for post in [path, path + "/nonaktifkan", path + "/uji", "/petugas/admin/pesan/webhook"] {
                #expect(try await browser.post(post, ["name": "X", "url": "https://x.example.org", "jurisdiction": "63"]).0 == .forbidden, "\(post)")
            }
            let kabupaten = try await signedIn(app, "admin6301")
            try await kabupaten.get("/petugas/admin")
            #expect(try await kabupaten.get("/petugas/admin/pesan/webhook").0 == .forbidden)
            #expect(try await kabupaten.post(path + "/nonaktifkan", [:]).0 == .forbidden)
            #expect(try await subscriptions(app) == before)
            #expect(await receiver.log.calls.isEmpty)
        }
    }
}
