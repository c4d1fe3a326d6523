import AduanCore
import Crypto
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// A local HTTP server playing webhook receivers (`/hook/{name}`): it checks each request's signature with the
/// receiver's secret, records it, and answers as scripted.
final class FakeWebhookReceiver: @unchecked Sendable {
    struct Call: Sendable {
        var receiver: String
        var body: Data
        var headers: HTTPHeaders
        var signatureValid: Bool
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }
    actor Log {
        var calls: [Call] = []
        var answers: [HTTPStatus] = []
        var secrets: [String: String] = [:]
        func record(_ call: Call) -> HTTPStatus { calls.append(call); return answers.isEmpty ? .ok : answers.removeFirst() }
        func script(_ statuses: [HTTPStatus]) { answers = statuses }
        func setSecret(_ receiver: String, _ secret: String) { secrets[receiver] = secret }
        func secret(_ receiver: String) -> String? { secrets[receiver] }
    }

    let log = Log()
    let server: Application
    private(set) var base = ""

    init() async throws {
        server = try await Application.make(.testing)
        server.logger.logLevel = .critical
        let log = self.log
        server.on(.POST, "hook", ":name", body: .collect(maxSize: "1mb")) { req async throws -> Response in
            let name = req.parameters.get("name") ?? ""
            let body = Data(buffer: req.body.data ?? ByteBuffer())
            var valid = false
            if let secret = await log.secret(name), let timestamp = req.headers.first(name: "X-Aduan-Timestamp"),
               let signature = req.headers.first(name: "X-Aduan-Signature") {
                var signed = Data("\(timestamp).".utf8); signed.append(body)
                let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
                valid = signature == "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
            }
            let status = await log.record(Call(receiver: name, body: body, headers: req.headers, signatureValid: valid))
            return Response(status: status, body: .init(string: status == .ok ? #"{"received":true}"# : "refused"))
        }
        try await server.server.start(address: .hostname("127.0.0.1", port: 0))
        base = "http://127.0.0.1:\(server.http.server.shared.localAddress?.port ?? 0)/hook/"
    }

    func stop() async throws {
        await server.server.shutdown()
        try await server.asyncShutdown()
    }
}

extension Application {
    /// A subscription made as the sysadmin's page makes it; its secret is told to the receiver.
    @discardableResult
    func subscribe(_ name: String, receiver: FakeWebhookReceiver, actions: [String] = [], jurisdiction: String = "63", includeSub: Bool = false,
                   active: Bool = true) async throws -> WebhookSubscription {
        let input = WebhookAdmin.Input(name: name, url: receiver.base + name, secret: "", actions: actions, jurisdiction: jurisdiction, includeSub: includeSub)
        #expect(WebhookAdmin.problems(input, tree: try await reference.get(on: db).tree).isEmpty)
        let (subscription, secret) = try await WebhookAdmin.create(input, actor: "test", app: self, on: db)
        await receiver.log.setSecret(name, secret)
        if !active { subscription.active = false; try await subscription.update(on: db) }
        return subscription
    }

    func webhookRows() async throws -> [OutboxMessage] {
        try await OutboxMessage.query(on: db).filter(\.$channel == "webhook").sort(\.$id).all()
    }

    func webhookWorker() -> Worker {
        Worker(app: self, transport: ChannelRouter(email: RecordingTransport(), sms: RecordingTransport(), webhook: WebhookTransport(app: self)))
    }
}

@Suite("Outbound webhooks")
struct WebhookTests {
    @Test("events in scope and filter reach their receivers signed; 500 then success keeps the key; the body holds public fields only")
    func deliveryScopeAndFilter() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let receiver = try await FakeWebhookReceiver()
            defer { Task { try? await receiver.stop() } }
            // Given four subscriptions: the province (all), the province and below (verify only), a kabupaten, an inactive one.
            let all = try await app.subscribe("all", receiver: receiver)
            let verifyBelow = try await app.subscribe("verify", receiver: receiver, actions: ["verify"], includeSub: true)
            let kabupaten = try await app.subscribe("kab", receiver: receiver, jurisdiction: "63.01")
            try await app.subscribe("off", receiver: receiver, active: false)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")

            // When a complaint in 63 is submitted and verified (with an internal note), and one in 63.01 submitted.
            let sent = try await app.submit(["reporter": ["name": "Siti Rahasia", "email": "siti@example.org", "phone": "+6281234567890"]])
            let (status, body) = try await app.act(coordinator, sent.tracking_id, "verify",
                                                   ["unit": "63/dinkes", "text": "Diteruskan ke Dinas Kesehatan", "internal_text": "CATATAN-INTERNAL"])
            #expect(status == .ok, "\(body)")
            let other = try await app.submit(["jurisdiction": "63.01"])

            // Then one outbox row per matching event and subscription, keyed by tracking id, seq and subscription.
            let rows = try await app.webhookRows()
            #expect(Set(rows.map(\.idempotencyKey)) == [
                "\(sent.tracking_id):1:webhook:\(all.id!)", "\(sent.tracking_id):2:webhook:\(all.id!)",
                "\(sent.tracking_id):2:webhook:\(verifyBelow.id!)", "\(other.tracking_id):1:webhook:\(kabupaten.id!)",
            ])
            #expect(rows.allSatisfy { $0.status == "pending" && $0.kind == "webhook_event" })

            // The first delivery to `all` fails with a 500; everything else is accepted.
            await receiver.log.script([.internalServerError])
            app.clock.set(app.clock.now)
            let first = try await app.webhookWorker().runOnce()
            #expect(first.failed == 1)
            var failed = try #require(try await app.webhookRows().first { $0.status != "sent" })
            #expect(failed.status == "pending" && failed.attempts == 1 && failed.lastError?.contains("500") == true)
            app.clock.advance(by: 31)
            _ = try await app.webhookWorker().runOnce()
            failed = try #require(try await OutboxMessage.find(failed.id, on: app.db))
            #expect(failed.status == "sent" && failed.attempts == 2 && failed.providerResponse?.hasPrefix("HTTP 200 in") == true)

            let calls = await receiver.log.calls
            #expect(calls.count == 5)
            #expect(calls.allSatisfy { $0.signatureValid })
            // The retried delivery carried the same key and the same body.
            let retried = calls.filter { $0.headers.first(name: "Idempotency-Key") == failed.idempotencyKey }
            #expect(retried.count == 2 && retried[0].body == retried[1].body)
            let keys = Set(rows.map(\.idempotencyKey))
            #expect(calls.allSatisfy { keys.contains($0.headers.first(name: "Idempotency-Key") ?? "") })

            // The body: the event's public fields, nothing internal, nothing about the reporter.
            let verify = try #require(calls.first { $0.receiver == "verify" })
            let json = verify.json
            #expect(Set(json.keys) == ["tracking_id", "seq", "at", "action", "from_state", "to_state", "unit", "jurisdiction", "public_text",
                                       "due_at", "late"])
            #expect(json["tracking_id"] as? String == sent.tracking_id && json["seq"] as? Int == 2 && json["action"] as? String == "verify")
            #expect(json["from_state"] as? String == "baru" && json["to_state"] as? String == "didisposisikan" && json["unit"] as? String == "63/dinkes")
            #expect(json["public_text"] as? String == "Diteruskan ke Dinas Kesehatan" && json["late"] as? Bool == false)
            #expect((json["at"] as? String)?.hasSuffix("+08:00") == true && (json["due_at"] as? String)?.hasSuffix("+08:00") == true)
            #expect(verify.headers.first(name: "X-Aduan-Event") == "verify")
            for call in calls {
                let text = String(decoding: call.body, as: UTF8.self)
                #expect(!text.contains("CATATAN-INTERNAL") && !text.contains("Siti") && !text.contains("example.org") && !text.contains("62812"))
            }
        }
    }

    @Test("a 400 dead-letters at once; an inactive subscription's queued events are skipped; confidential and whistleblowing complaints are never sent")
    func deadLetterInactiveConfidential() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let receiver = try await FakeWebhookReceiver()
            defer { Task { try? await receiver.stop() } }
            let subscription = try await app.subscribe("all", receiver: receiver)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            // Confidential and whistleblowing complaints queue nothing at all: not even their tracking ID and unit leave.
            let secretOne = try await app.submit(["confidential": true])
            _ = try await app.act(coordinator, secretOne.tracking_id, "request_info", ["text": "Mohon lampirkan foto lokasi"])
            _ = try await app.submit(["type": "wbs"])
            #expect(try await app.webhookRows().isEmpty)
            let open = try await app.submit()
            _ = try await app.act(coordinator, open.tracking_id, "request_info", ["text": "Mohon lampirkan foto lokasi"])
            await receiver.log.script([.badRequest])
            _ = try await app.webhookWorker().runOnce()
            let rows = try await app.webhookRows()
            #expect(rows.count == 2)
            #expect(rows[0].status == "dead" && rows[0].attempts == 1 && rows[0].lastError?.contains("permanent") == true)
            #expect(rows[1].status == "sent")
            let calls = await receiver.log.calls
            #expect(calls.count == 2)
            #expect(calls.allSatisfy { $0.json["tracking_id"] as? String == open.tracking_id })
            #expect(!calls.contains { String(decoding: $0.body, as: UTF8.self).contains(secretOne.tracking_id) })

            // Deactivated: new events queue nothing, and what was still queued is skipped (recorded, not sent).
            subscription.active = false
            try await subscription.update(on: app.db)
            _ = try await app.submit()
            #expect(try await app.webhookRows().count == 2)
            subscription.active = true
            try await subscription.update(on: app.db)
            let late = try await app.submit()
            subscription.active = false
            try await subscription.update(on: app.db)
            _ = try await app.webhookWorker().runOnce()
            let skipped = try #require(try await app.webhookRows().first { $0.idempotencyKey.hasPrefix(late.tracking_id) })
            #expect(skipped.status == "sent" && skipped.providerResponse?.contains("inactive") == true)
            #expect(await receiver.log.calls.count == 2)
        }
    }

    @Test("the webhook row is written in the event's transaction: a rolled-back event leaves no row, a committed one always has it")
    func sameTransaction() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let receiver = try await FakeWebhookReceiver()
            defer { Task { try? await receiver.stop() } }
            try await app.subscribe("all", receiver: receiver)
            let reference = try await app.reference.get(on: app.db)
            struct Rollback: Error {}
            func write(fail: Bool) async throws -> String {
                let trackingID = TrackingID.random().rawValue
                let secrets = app.secrets
                do {
                    try await withWriteTransaction(app) { db in
                        let transition = Lifecycle.submit(Submission(title: "Lampu jalan mati", body: "Lampu jalan mati sejak seminggu.", jurisdiction: "63"),
                                                          trackingID: trackingID, by: .reporter, context: reference.context(now: app.clock.now))
                        let complaint = Complaint()
                        complaint.title = "Lampu jalan mati"; complaint.body = "Lampu jalan mati sejak seminggu."; complaint.language = "id"
                        complaint.secretHash = "x"; complaint.pinHash = "y"; complaint.secretFailures = 0
                        complaint.notifyEmail = true; complaint.notifyPhone = true
                        try await ComplaintStore.commit(transition, to: complaint, actorID: nil, secrets: secrets, reference: reference, on: db)
                        if fail { throw Rollback() }
                    }
                } catch is Rollback {}
                return trackingID
            }
            let rolledBack = try await write(fail: true)
            let committed = try await write(fail: false)
            let keys = try await app.webhookRows().map(\.idempotencyKey)
            #expect(keys.count == 1 && keys[0].hasPrefix("\(committed):1:webhook:"))
            #expect(!keys.contains { $0.hasPrefix(rolledBack) })
            #expect(try await Complaint.byTrackingID(rolledBack, on: app.db) == nil)
        }
    }

    @Test("subscriptions are checked: http(s) URL, known actions, a jurisdiction of the tree, a long enough secret")
    func validation() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let tree = try await app.reference.get(on: app.db).tree
            func problems(_ change: (inout WebhookAdmin.Input) -> Void) -> Set<String> {
                var input = WebhookAdmin.Input(name: "Dasbor", url: "https://dasbor.example.org/hook", secret: "", actions: [], jurisdiction: "63",
                                               includeSub: true)
                change(&input)
                return Set(WebhookAdmin.problems(input, tree: tree).keys)
            }
            #expect(problems { _ in }.isEmpty)
            #expect(problems { $0.url = "ftp://example.org/x" } == ["url"])
            #expect(problems { $0.url = "javascript:alert(1)" } == ["url"])
            #expect(problems { $0.url = "https://" } == ["url"])
            #expect(problems { $0.actions = ["verify", "note"] } == ["actions"])
            #expect(problems { $0.actions = ["verify", "respond_final"] }.isEmpty)
            #expect(problems { $0.jurisdiction = "99" } == ["jurisdiction"])
            #expect(problems { $0.secret = "short" } == ["secret"])
            #expect(problems { $0.name = "" } == ["name"])
        }
    }
}
