import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// A provider calling `POST /api/v1/gateway/inbound`, signing as docs/interop.md says.
private struct Provider {
    let app: Application
    var secret = InboundGatewayTests.secret

    /// Posts `fields` as JSON; `age` shifts the signed timestamp into the past; `sign: false` sends no signature.
    func send(_ fields: [String: any Sendable], age: Int = 0, sign: Bool = true, raw: Data? = nil,
              signatureSecret: String? = nil) async throws -> (HTTPStatus, [String: Any], String) {
        let body = try raw ?? JSONSerialization.data(withJSONObject: fields)
        let timestamp = Int(app.clock.now.timeIntervalSince1970) - age
        var headers: HTTPHeaders = ["content-type": "application/json"]
        if sign {
            headers.add(name: "X-Aduan-Timestamp", value: String(timestamp))
            headers.add(name: "X-Aduan-Signature", value: SignedPost.signature(secret: signatureSecret ?? secret, timestamp: timestamp, body: body))
        }
        var out: (HTTPStatus, [String: Any], String) = (.internalServerError, [:], "")
        try await app.testing().test(.POST, "/api/v1/gateway/inbound", headers: headers, body: ByteBuffer(data: body), afterResponse: { res in
            out = (res.status, json(res.body.string), res.body.string)
        })
        return out
    }

    func message(_ id: String, from: String, _ text: String, channel: String = "sms") async throws -> (HTTPStatus, [String: Any], String) {
        try await send(["message_id": id, "from": from, "channel": channel, "text": text])
    }
}

/// What the gateway may change: complaints, their events, the outbox and the answered messages.
private func state(_ app: Application) async throws -> String {
    var lines: [String] = []
    for c in try await Complaint.query(on: app.db).sort(\.$id).all() { lines.append("complaint \(c.trackingID) \(c.state) \(c.eventCount)") }
    lines.append("events \(try await Event.query(on: app.db).count())")
    lines.append("outbox \(try await OutboxMessage.query(on: app.db).count())")
    lines.append("inbound \(try await InboundMessage.query(on: app.db).count())")
    return lines.joined(separator: "\n")
}

@Suite("Inbound SMS/WhatsApp gateway")
struct InboundGatewayTests {
    static let secret = "inbound-shared-secret-0123456789"

    func configured(_ app: Application) async throws {
        try await DeliverySettings.save([InboundGateway.secretVariable: Self.secret], app: app)
    }

    @Test("unconfigured it refuses everything; unsigned, wrongly signed, stale or malformed requests are refused and change nothing")
    func refusals() async throws {
        try await TestHarness.withApp { app in
            let provider = Provider(app: app)
            let text = ["message_id": "m-1", "from": "081234567890", "channel": "sms", "text": "Jalan di depan pasar rusak parah sejak bulan lalu."]
            var (status, body, _) = try await provider.send(text)
            #expect(status == .notFound && (body["error"] as? [String: Any])?["code"] as? String == "gateway_not_configured")
            (status, _, _) = try await provider.send(text, sign: false)
            #expect(status == .unauthorized)

            try await configured(app)
            let before = try await state(app)
            (status, body, _) = try await provider.send(text, sign: false)
            #expect(status == .unauthorized && (body["error"] as? [String: Any])?["code"] as? String == "unauthorized")
            (status, body, _) = try await provider.send(text, signatureSecret: "another-secret-0123456789")
            #expect(status == .unauthorized && (body["error"] as? [String: Any])?["code"] as? String == "bad_signature")
            (status, body, _) = try await provider.send(text, age: 301)
            #expect(status == .unauthorized && (body["error"] as? [String: Any])?["code"] as? String == "stale_request")
            (status, _, _) = try await provider.send(text, raw: Data("not json".utf8))
            #expect(status == .badRequest)
            for (field, value) in [("from", "abc"), ("from", "62812345"), ("channel", "telegram"), ("text", "  "), ("message_id", ""),
                                   ("received_at", "kemarin")] {
                var fields = text
                fields[field] = value
                let (status, body, _) = try await provider.send(fields)
                #expect(status == .unprocessableEntity && (body["error"] as? [String: Any])?["field"] as? String == field, "\(field)=\(value)")
            }
            #expect(try await state(app) == before)
        }
    }

    @Test("a new message becomes a complaint through the submission path; the same message id again answers the same and changes nothing")
    func newComplaintAndReplay() async throws {
        try await TestHarness.withApp { app in
            try await configured(app)
            let provider = Provider(app: app)
            let text = "Jalan di depan pasar Martapura rusak parah sejak bulan lalu, banyak pengendara motor jatuh."
            let (status, body, raw) = try await provider.message("wa-001", from: "0812-3456-7890", text, channel: "whatsapp")
            #expect(status == .ok, "\(raw)")
            let trackingID = try #require(body["tracking_id"] as? String)
            let formatted = try #require(TrackingID(trackingID)).formatted
            #expect((body["reply"] as? String)?.contains(formatted) == true)

            let complaint = try await app.complaint(trackingID)
            #expect(complaint.channel == "whatsapp" && complaint.jurisdictionCode == "63" && complaint.state == "baru")
            #expect(complaint.title == "Jalan di depan pasar Martapura rusak parah sejak bulan lalu,…" && complaint.body == text)
            // The phone is stored as the portal stores a reporter's phone; messages go to it by SMS.
            let identity = try JSONDecoder().decode(ReporterIdentity.self, from: app.secrets.open(try #require(complaint.reporterSealed)))
            #expect(identity == ReporterIdentity(phone: "081234567890"))
            #expect(complaint.reporterPhoneHash == app.secrets.lookupHash("081234567890") && complaint.notifyPhone)
            let messages = try await app.outboxRows().filter { $0.complaintID == complaint.id && $0.audience == "reporter" }
            #expect(messages.map(\.channel) == ["sms"])

            let before = try await state(app)
            let (again, repeated, _) = try await provider.message("wa-001", from: "081234567890", "Pesan lain dengan nomor yang sama sekali berbeda.")
            #expect(again == .ok && repeated["tracking_id"] as? String == trackingID && repeated["reply"] as? String == body["reply"] as? String)
            #expect(try await state(app) == before)

            // Too short to be a complaint: an answer asking for more, nothing created.
            let (short, answer, _) = try await provider.message("wa-002", from: "081234567890", "halo")
            #expect(short == .ok && answer["tracking_id"] is NSNull && (answer["reply"] as? String)?.contains("singkat") == true)
            #expect(try await Complaint.query(on: app.db).count() == 1)
        }
    }

    @Test("the reporter's SMS naming a complaint waiting for them is their reply; in another state they get its status")
    func replyToPerluInfo() async throws {
        try await TestHarness.withApp { app in
            try await configured(app)
            let provider = Provider(app: app)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let sent = try await app.submit(["reporter": ["name": "Budi", "phone": "+6281299990000"]])
            _ = try await app.act(coordinator, sent.tracking_id, "request_info", ["text": "Mohon sebutkan alamat lengkapnya."])
            let formatted = try #require(TrackingID(sent.tracking_id)).formatted

            // The same number typed the Indonesian way, the ID in lower case.
            let reply = "Alamatnya Jl. Veteran No. 12 RT 03, aduan \(formatted.lowercased())"
            let (status, body, raw) = try await provider.message("sms-100", from: "081299990000", reply)
            #expect(status == .ok && body["tracking_id"] as? String == sent.tracking_id, "\(raw)")
            #expect((body["reply"] as? String)?.contains(formatted) == true)
            var complaint = try await app.complaint(sent.tracking_id)
            #expect(complaint.state == "baru" && complaint.eventCount == 3)
            let event = try #require(try await Event.query(on: app.db).filter(\.$complaintID == complaint.id!).filter(\.$seq == 3).first())
            #expect(event.action == "reply" && event.actorRole == "reporter" && event.publicText == reply)
            #expect(try await Complaint.query(on: app.db).count() == 1)

            // Now it waits for the coordinator: the reporter is told its status, nothing is recorded on it.
            let (_, status2, _) = try await provider.message("sms-101", from: "+6281299990000", "Bagaimana kabar aduan \(formatted)? Sudah lama sekali.")
            #expect(status2["tracking_id"] as? String == sent.tracking_id)
            #expect((status2["reply"] as? String)?.contains("Belum terverifikasi") == true)
            complaint = try await app.complaint(sent.tracking_id)
            let count = try await Complaint.query(on: app.db).count()
            #expect(complaint.eventCount == 3 && count == 1)
        }
    }

    @Test("another sender naming someone's complaint cannot touch it or learn its status; an unknown ID alone creates nothing")
    func wrongOwnerAndUnknown() async throws {
        try await TestHarness.withApp { app in
            try await configured(app)
            let provider = Provider(app: app)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let sent = try await app.submit(["reporter": ["name": "Budi", "phone": "081299990000"]])
            _ = try await app.act(coordinator, sent.tracking_id, "request_info", ["text": "Mohon sebutkan alamat lengkapnya."])
            let formatted = try #require(TrackingID(sent.tracking_id)).formatted
            let before = try await state(app)

            // Only the ID, from someone else: "not found for your number".
            var (status, body, _) = try await provider.message("x-1", from: "+6281311112222", formatted)
            #expect(status == .ok && body["tracking_id"] is NSNull && (body["reply"] as? String)?.contains("tidak ditemukan") == true)
            #expect((body["reply"] as? String)?.contains("Perlu informasi") == false)
            let afterUnknown = try await state(app)
            #expect(afterUnknown.replacingOccurrences(of: "inbound 1", with: "inbound 0") == before)

            // With a story: a new complaint of their own; the other one is untouched.
            (status, body, _) = try await provider.message("x-2", from: "+6281311112222",
                                                           "Aduan \(formatted) itu palsu, tolong batalkan dan hapus semua datanya sekarang juga.")
            #expect(status == .ok && body["tracking_id"] as? String != sent.tracking_id)
            let original = try await app.complaint(sent.tracking_id)
            #expect(original.state == "perlu_info" && original.eventCount == 2)

            // A well-formed ID that names no complaint.
            var unknown = TrackingID.random()
            while unknown.rawValue == sent.tracking_id { unknown = TrackingID.random() }
            (status, body, _) = try await provider.message("x-3", from: "081299990000", unknown.formatted)
            #expect(status == .ok && body["tracking_id"] is NSNull && (body["reply"] as? String)?.contains(unknown.formatted) == true)
            #expect(try await Complaint.query(on: app.db).count() == 2)
        }
    }

    @Test("the sysadmin sets the inbound secret on the messages page: stored sealed, checked, and then the endpoint opens")
    func secretFromThePage() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let browser = Browser(app)
            try await browser.get("/petugas/masuk")
            _ = try await browser.post("/petugas/masuk", ["username": "admin", "password": "password-admin"])
            let (_, page) = try await browser.get("/petugas/admin/pesan")
            #expect(page.contains(#"name="ADUAN_GATEWAY_INBOUND_SECRET""#))
            var (status, body, _) = try await browser.post("/petugas/admin/pesan/pengaturan", [InboundGateway.secretVariable: "pendek"])
            #expect(status == .unprocessableEntity && body.contains("at least 16"))
            #expect(try await InboundGateway.secret(app) == nil)
            (status, body, _) = try await browser.post("/petugas/admin/pesan/pengaturan", [InboundGateway.secretVariable: Self.secret])
            #expect(status == .seeOther, "\(body.prefix(300))")
            #expect(try await InboundGateway.secret(app) == Self.secret)
            #expect(try await Setting.find(DeliverySettings.key, on: app.db)?.value.contains(Self.secret) == false)
            let (ok, answer, _) = try await Provider(app: app).message("p-1", from: "081234567890", "Sampah menumpuk di depan sekolah sejak minggu lalu.")
            #expect(ok == .ok && answer["tracking_id"] is String)
        }
    }

    @Test("one sender is limited like public submissions (429, nothing changes); others and replays are not held up")
    func rateLimitPerSender() async throws {
        try await TestHarness.withApp { app in
            try await configured(app)
            app.settings.submitRateLimit = 2
            app.clock.set(Date(timeIntervalSince1970: 1_775_005_200))
            let provider = Provider(app: app)
            let story = "Lampu penerangan jalan di Jl. Sudirman mati sejak tiga hari."
            #expect(try await provider.message("r-1", from: "081200000001", story).0 == .ok)
            #expect(try await provider.message("r-2", from: "+6281200000001", story).0 == .ok)
            let before = try await state(app)
            let (status, body, _) = try await provider.message("r-3", from: "081200000001", story)
            #expect(status == .tooManyRequests && (body["error"] as? [String: Any])?["code"] as? String == "rate_limited")
            #expect(try await state(app) == before)
            #expect(try await provider.message("r-1", from: "081200000001", story).0 == .ok)   // a replay is answered from the record
            #expect(try await provider.message("r-4", from: "081200000002", story).0 == .ok)
            app.clock.advance(by: 60)
            #expect(try await provider.message("r-3", from: "081200000001", story).0 == .ok)
        }
    }

    @Test("reading messages: tracking IDs in any common spelling, phone forms, titles from the first words")
    func reading() {
        let id = TrackingID.random()
        let spaced = "\(id.rawValue.prefix(4)) \(id.rawValue.dropFirst(4))"
        for text in ["cek \(id.formatted) ya", "cek \(id.rawValue.lowercased())", "cek \(spaced)!", "(\(id.formatted))"] {
            #expect(InboundGateway.trackingIDs(in: text) == [id], "\(text)")
        }
        #expect(InboundGateway.trackingIDs(in: "jalan rusak di depan pasar").isEmpty)
        #expect(InboundGateway.phoneForms("+6281234567890") == ["+6281234567890", "6281234567890", "081234567890"])
        #expect(InboundGateway.phoneForms("081234567890") == ["+6281234567890", "6281234567890", "081234567890"])
        #expect(InboundGateway.phoneForms("+4915112345678") == ["+4915112345678"])
        #expect(InboundGateway.title(from: "Lampu jalan mati") == "Lampu jalan mati")
        #expect(InboundGateway.title(from: String(repeating: "kata ", count: 30)).count <= 61)
    }
}
