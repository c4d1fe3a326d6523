import AduanCore
import Crypto
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// A local HTTP server playing an SMS/WhatsApp provider: records every request and answers as told.
final class FakeGateway: @unchecked Sendable {
    struct Call: Sendable { var body: Data; var headers: HTTPHeaders }
    actor Log {
        var calls: [Call] = []
        var answers: [HTTPStatus] = []
        func record(_ call: Call) -> HTTPStatus { calls.append(call); return answers.isEmpty ? .ok : answers.removeFirst() }
        func script(_ statuses: [HTTPStatus]) { answers = statuses }
    }

    let log = Log()
    let server: Application
    private(set) var url = ""

    init() async throws {
        server = try await Application.make(.testing)
        server.logger.logLevel = .critical
        let log = self.log
        server.on(.POST, "messages", body: .collect(maxSize: "1mb")) { req async throws -> Response in
            let status = await log.record(Call(body: Data(buffer: req.body.data ?? ByteBuffer()), headers: req.headers))
            return Response(status: status, body: .init(string: status == .ok ? #"{"message_id":"gw-\#(UUID().uuidString.prefix(8))"}"# : "nope"))
        }
        try await server.server.start(address: .hostname("127.0.0.1", port: 0))
        url = "http://127.0.0.1:\(server.http.server.shared.localAddress?.port ?? 0)/messages"
    }

    func stop() async throws {
        await server.server.shutdown()
        try await server.asyncShutdown()
    }
}

extension Application {
    func outboxRows() async throws -> [OutboxMessage] { try await OutboxMessage.query(on: db).sort(\.$id).all() }
}

@Suite("Information flow: channels, the SMS/WhatsApp gateway, unsubscribing, due-soon reminders")
struct NotifyTests {
    static let secret = "gateway-shared-secret-0123456789"

    func router(_ app: Application, gateway: FakeGateway, email: any MessageTransport) throws -> ChannelRouter {
        let settings = try #require(try GatewaySettings.fromEnvironment(["ADUAN_SMS_WEBHOOK_URL": gateway.url, "ADUAN_SMS_WEBHOOK_SECRET": Self.secret,
                                                                         "ADUAN_SMS_CHANNEL": "whatsapp"]))
        return ChannelRouter(email: email, sms: GatewayTransport(app: app, settings: settings))
    }

    @Test("a reporter with e-mail and phone gets both; the gateway gets a signed JSON message with the secret link, and its answer is kept")
    func gatewayDelivery() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let gateway = try await FakeGateway()
            defer { Task { try? await gateway.stop() } }
            let sent = try await app.submit(["reporter": ["name": "Siti", "email": "siti@example.org", "phone": "+6281234567890"]])
            var rows = try await app.outboxRows().filter { $0.audience == "reporter" }
            #expect(rows.map(\.channel).sorted() == ["email", "sms"])
            let email = RecordingTransport()
            let worker = Worker(app: app, transport: try router(app, gateway: gateway, email: email))
            _ = try await worker.runOnce()
            let calls = await gateway.log.calls
            try #require(calls.count == 1)
            let call = calls[0]
            let body = try JSONDecoder().decode(GatewayTransport.Body.self, from: call.body)
            #expect(body.to == "+6281234567890" && body.channel == "whatsapp" && body.tracking_id == sent.tracking_id)
            #expect(body.text.contains("?s=\(sent.secret)") && body.text.count < 200, "\(body.text)")
            // The signature is an HMAC of "timestamp.body" with the shared secret.
            let timestamp = try #require(call.headers.first(name: "X-Aduan-Timestamp"))
            var signed = Data("\(timestamp).".utf8); signed.append(call.body)
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(Self.secret.utf8)))
            #expect(call.headers.first(name: "X-Aduan-Signature") == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
            #expect(call.headers.first(name: "Idempotency-Key") == body.id)
            rows = try await app.outboxRows().filter { $0.audience == "reporter" }
            #expect(rows.allSatisfy { $0.status == "sent" })
            #expect(rows.first { $0.channel == "sms" }?.providerResponse?.contains("gw-") == true)
            #expect(await email.keys.count == (try await app.outboxRows()).filter { $0.channel == "email" }.count)
        }
    }

    @Test("the gateway down (500, 429) is retried with the same key; a 400 dead-letters at once")
    func gatewayFailures() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let gateway = try await FakeGateway()
            defer { Task { try? await gateway.stop() } }
            _ = try await app.submit(["reporter": ["name": "Budi", "phone": "081200000001"]])
            let worker = Worker(app: app, transport: try router(app, gateway: gateway, email: RecordingTransport()))
            await gateway.log.script([.internalServerError, .tooManyRequests])
            app.clock.set(app.clock.now)
            _ = try await worker.runOnce()
            var sms = try #require(try await app.outboxRows().first { $0.channel == "sms" })
            #expect(sms.status == "pending" && sms.attempts == 1 && sms.lastError?.contains("500") == true)
            app.clock.advance(by: 31)
            _ = try await worker.runOnce()
            app.clock.advance(by: 61)
            _ = try await worker.runOnce()
            sms = try #require(try await app.outboxRows().first { $0.channel == "sms" })
            #expect(sms.status == "sent" && sms.attempts == 3)
            let keys = await gateway.log.calls.compactMap { $0.headers.first(name: "Idempotency-Key") }
            #expect(keys.count == 3 && Set(keys).count == 1)

            _ = try await app.submit(["reporter": ["name": "Budi", "phone": "081200000002"]])
            await gateway.log.script([.badRequest])
            _ = try await worker.runOnce()
            let dead = try #require(try await app.outboxRows().last { $0.channel == "sms" })
            #expect(dead.status == "dead" && dead.attempts == 1 && dead.lastError?.contains("permanent") == true)
        }
    }

    @Test("channel choice: e-mail only means no SMS row; anonymous without contact gets nothing; a bad choice is refused")
    func channelChoice() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.submit(["reporter": ["name": "Siti", "email": "siti@example.org", "phone": "081200000003"], "notify": ["email"]])
            #expect(try await app.outboxRows().filter { $0.audience == "reporter" }.map(\.channel) == ["email"])
            _ = try await app.submit(["anonymous": true, "reporter": [String: String]()])
            #expect(try await app.outboxRows().filter { $0.audience == "reporter" }.count == 1)
            var status = HTTPStatus.ok
            try await app.testing().test(.POST, "/api/v1/complaints", beforeRequest: { req in
                req.headers.contentType = .json
                req.body = ByteBuffer(string: #"{"title":"Jalan rusak","body":"Lubang besar di jalan dekat pasar.","jurisdiction":"63","notify":["pigeon"]}"#)
            }, afterResponse: { res in status = res.status })
            #expect(status == .unprocessableEntity)
            #expect(try await Complaint.query(on: app.db).count() == 2)
        }
    }

    @Test("the unsubscribe link stops one channel for one complaint after a click; a forged key does nothing")
    func unsubscribe() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let koord = try await app.createOfficer("koord", .coordinator, "63")
            let sent = try await app.submit(["reporter": ["name": "Siti", "email": "siti@example.org", "phone": "081200000004"]])
            let received = try #require(try await app.outboxRows().first { $0.channel == "email" && $0.kind == "received" })
            let mail = try #require(try await EmailTransport(app: app, settings: .loopback(port: 2525))
                .compose(OutboxSnapshot(id: received.id!, idempotencyKey: received.idempotencyKey, kind: received.kind,
                                        audience: received.audience, payload: received.payload, attempts: 0)))
            #expect(mail.text.contains("/t/\(sent.tracking_id)?s=\(sent.secret)"), "the received e-mail carries the secret link")
            let link = try #require(mail.text.components(separatedBy: "\n").first { $0.contains("/berhenti/") }?.components(separatedBy: ": ").last)
            let path = String(link.dropFirst(app.settings.baseURL.count))
            let browser = Browser(app)
            let (status, page) = try await browser.get(path)
            #expect(status == .ok && page.contains("Ya, berhenti"))
            #expect(try await app.complaint(sent.tracking_id).notifyEmail, "a GET changes nothing")
            let forged = path.replacingOccurrences(of: "/email?k=", with: "/sms?k=")
            #expect(try await browser.get(forged).0 == .notFound)
            let key = String(path.split(separator: "=").last!)
            #expect(try await browser.post("/berhenti/\(sent.tracking_id)/email", ["k": String(key.reversed())]).0 == .notFound)
            #expect(try await browser.post("/berhenti/\(sent.tracking_id)/email", ["k": key]).0 == .ok)
            let c = try await app.complaint(sent.tracking_id)
            #expect(!c.notifyEmail && c.notifyPhone)
            // The queued e-mail is skipped; the next step sends SMS only.
            #expect(try await EmailTransport(app: app, settings: .loopback(port: 2525))
                .compose(OutboxSnapshot(id: received.id!, idempotencyKey: received.idempotencyKey, kind: received.kind,
                                        audience: received.audience, payload: received.payload, attempts: 0)) == nil)
            _ = try await app.act(koord, sent.tracking_id, "request_info", ["text": "Mohon foto lokasi."])
            let info = try await app.outboxRows().filter { $0.kind == "info_requested" }
            #expect(info.map(\.channel) == ["sms"])
        }
    }

    @Test("a due-soon reminder goes once per due, one working day before, to whoever must act")
    func dueSoon() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let koord = try await app.createOfficer("koord", .coordinator, "63")
            // Monday 6 April 2026 09:00 WITA: verification due Thursday 9 April.
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-06T09:00:00+08:00")!)
            let id = try await app.submit([:]).tracking_id
            let worker = Worker(app: app, transport: RecordingTransport())
            _ = try await worker.runOnce()
            #expect(try await app.outboxRows().filter { $0.kind == "due_soon" }.isEmpty, "three working days left")
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-08T08:00:00+08:00")!)  // Wednesday: 1 HK left
            var report = try await worker.runOnce()
            #expect(report.reminded == 1)
            report = try await worker.runOnce()
            #expect(report.reminded == 0, "once per due")
            let reminder = try await app.outboxRows().filter { $0.kind == "due_soon" }
            #expect(reminder.map(\.audience) == ["coordinators:63"])
            // A new due (after the disposition) gets its own reminder, to the unit.
            _ = try await app.act(koord, id, "verify", ["unit": "63/dinkes"])
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-14T08:00:00+08:00")!)  // response due Wed 15 April
            report = try await worker.runOnce()
            #expect(report.reminded == 1)
            #expect(try await app.outboxRows().filter { $0.kind == "due_soon" }.map(\.audience) == ["coordinators:63", "unit_liaisons:63/dinkes"])
        }
    }

    @Test("an officer who chose the digest gets one e-mail a day listing the day's messages; others get them at once")
    func digest() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.stop() }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("koord2", .coordinator, "63")
            try await app.setEmail("koord", "koord@kalselprov.go.id")
            try await app.setEmail("koord2", "koord2@kalselprov.go.id")
            let browser = try await Browser.officer(app, "koord")
            try await browser.get("/petugas/akun")
            #expect(try await browser.post("/petugas/akun/ringkasan", ["digest": "1"]).2 == "/petugas/akun?ok=digest")
            // Monday 6 April 2026, 09:00 WITA: two complaints arrive.
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-06T09:00:00+08:00")!)
            let a = try await app.submit([:]).tracking_id
            let b = try await app.submit([:]).tracking_id
            let worker = Worker(app: app, transport: EmailTransport(app: app, settings: .loopback(port: sink.port)))
            _ = try await worker.runOnce()
            _ = try await worker.runOnce()  // a second sweep (or a redelivery) keeps nothing twice
            var mails = try sink.messages()
            #expect(mails.filter { $0.rcpt_tos == ["koord2@kalselprov.go.id"] }.count == 2)
            #expect(mails.filter { $0.rcpt_tos == ["koord@kalselprov.go.id"] }.isEmpty)
            #expect(try await DigestItem.query(on: app.db).count() == 2)
            // Tuesday 07:05: one digest with both.
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-07T07:05:00+08:00")!)
            var report = try await worker.runOnce()
            #expect(report.digests == 1)
            mails = try sink.messages()
            let digest = try #require(mails.first { $0.rcpt_tos == ["koord@kalselprov.go.id"] })
            #expect(digest.subject == "Ringkasan harian Aduan: 2 pemberitahuan")
            #expect(digest.plain?.contains("/petugas/aduan/\(a)") == true && digest.plain?.contains("/petugas/aduan/\(b)") == true)
            report = try await worker.runOnce()
            #expect(report.digests == 0, "one a day")
        }
    }

    @Test("a warning tells the unit head at once, its answer tells the inspectorate, and a late answer is reminded once")
    func warningMessages() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let koord = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("irprov", .inspector, "63")
            _ = try await app.createOfficer("kadinkes", .unit_head, "63/dinkes")
            let id = try await app.submit([:]).tracking_id
            _ = try await app.act(koord, id, "verify", ["unit": "63/dinkes"])
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-06T09:00:00+08:00")!)
            let inspector = try await Browser.officer(app, "irprov")
            try await inspector.get("/petugas/teguran")
            try await inspector.post("/petugas/teguran", ["unit": "63/dinkes", "text": "Tindak lanjut terlambat, segera perbaiki."])
            #expect(try await app.outboxRows().filter { $0.kind.hasPrefix("warning_") }.map(\.audience) == ["unit_head:63/dinkes"])
            let worker = Worker(app: app, transport: RecordingTransport())
            app.clock.set(ISO8601DateFormatter().date(from: "2026-04-14T09:00:00+08:00")!)  // past the 5 HK
            #expect(try await worker.runOnce().warningReminders == 1)
            #expect(try await worker.runOnce().warningReminders == 0)
            let warning = try #require(try await UnitWarning.query(on: app.db).first())
            let head = try await Browser.officer(app, "kadinkes")
            try await head.get("/petugas/teguran")
            try await head.post("/petugas/teguran/\(warning.id!)/terima", ["response": "Sudah kami perbaiki minggu ini."])
            let kinds = try await app.outboxRows().filter { $0.kind.hasPrefix("warning_") }.map { "\($0.kind)>\($0.audience)" }
            #expect(kinds == ["warning_issued>unit_head:63/dinkes", "warning_reminder>unit_head:63/dinkes", "warning_acknowledged>inspectorate:63"])
        }
    }
}
