import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

/// The SP4N-LAPOR! bridge against a local server that plays the national system (FakeLapor): forwards go through
/// the outbox, are retried with backoff, carry one Idempotency-Key however often they are sent, and are recorded once.
// Serialized: each test holds a database (and on PostgreSQL a pool of connections); the whole suite in parallel
// with the others would exceed a default max_connections of 100.
@Suite("SP4N-LAPOR! bridge", .serialized)
struct LaporBridgeTests {
    let start = Date(timeIntervalSince1970: 1_775_005_200) // Wednesday 2026-04-01 09:00 WITA

    func connect(_ app: Application, to url: String, timeout: Int = 5) {
        app.laporSettings = LaporSettings(baseURL: url, token: FakeLapor.token, timeout: timeout)
    }

    func worker(_ app: Application) -> Worker {
        Worker(app: app, transport: LoggingTransport(logger: app.logger).routingNationalBridge(app))
    }

    /// A complaint forwarded to LAPOR by the coordinator; returns its tracking ID.
    func forwarded(_ app: Application, _ coordinator: String, _ fields: [String: any Sendable] = [:]) async throws -> String {
        let s = try await app.submit(fields)
        let (status, body) = try await app.act(coordinator, s.tracking_id, "forward_external",
                                               ["destination": "lapor", "text": "Kewenangan instansi pusat; diteruskan ke SP4N-LAPOR!."])
        #expect(status == .ok, "\(body)")
        return s.tracking_id
    }

    func events(_ app: Application, _ trackingID: String, action: Action) async throws -> [Event] {
        let complaint = try await app.complaint(trackingID)
        return try await Event.query(on: app.db).filter(\.$complaintID == complaint.id!).filter(\.$action == action.rawValue).sort(\.$seq).all()
    }

    @Test("a forward is written to the outbox with its event, sent once with the token and key, and LAPOR's number recorded")
    func forwardOnce() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                connect(app, to: url)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                let tid = try await forwarded(app, coordinator, ["anonymous": true])

                // Given the forward: the bridge call waits in the outbox, nothing was sent yet
                let complaint = try await app.complaint(tid)
                #expect(complaint.state == "diteruskan" && complaint.externalDestination == "lapor" && complaint.externalRef == nil)
                let message = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == National.forwardKind).first())
                #expect(message.audience == "external:lapor")
                #expect(message.complaintID == complaint.id)
                #expect(await fake.calls.isEmpty)

                // When the worker delivers
                let (delivered, failed) = try await worker(app).deliverOutbox()
                #expect(failed == 0 && delivered >= 1)

                // Then LAPOR got one call with the token, the outbox key and no reporter (anonymous)
                let posts = await fake.posts()
                #expect(posts.count == 1)
                #expect(posts[0].authorization == "Bearer \(FakeLapor.token)")
                #expect(posts[0].idempotencyKey == message.idempotencyKey)
                #expect(posts[0].json["source_id"] as? String == tid)
                #expect(posts[0].json["title"] as? String == "Jalan berlubang di Jl. A. Yani")
                #expect(posts[0].json["anonymous"] as? Bool == true)
                #expect(posts[0].json["reporter"] == nil)
                #expect(posts[0].json["note"] as? String == "Kewenangan instansi pusat; diteruskan ke SP4N-LAPOR!.")
                let national = try #require(await fake.complaints.first { $0.value == tid }?.key)

                // and the number is on the complaint, through an internal event in the chain
                let after = try await app.complaint(tid)
                #expect(after.externalRef == national)
                #expect(after.externalStatus == "Belum Terverifikasi")
                let updates = try await events(app, tid, action: .external_update)
                #expect(updates.count == 1)
                #expect(updates[0].isPublic == false)
                #expect(updates[0].internalText?.contains(national) == true)
                #expect(updates[0].dataDictionary["external_ref"] == national)
                let problems = try await AuditVerifier.verify(app).problems
                #expect(problems.isEmpty, "\(problems)")
                let sent = try #require(try await OutboxMessage.find(message.id, on: app.db))
                #expect(sent.status == "sent")

                // When the worker runs again, nothing more is sent
                _ = try await worker(app).deliverOutbox()
                #expect(await fake.posts().count == 1)
            }
        }
    }

    @Test("a named reporter travels with the forward, without the NIK")
    func reporterSent() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                connect(app, to: url)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                _ = try await forwarded(app, coordinator, ["reporter": ["name": "Siti Aminah", "email": "siti@example.org", "phone": "081234567890",
                                                                        "nik": "6371010101010001"]])
                _ = try await worker(app).deliverOutbox()
                let reporter = try #require(await fake.posts().first?.json["reporter"] as? [String: Any])
                #expect(reporter["name"] as? String == "Siti Aminah")
                #expect(reporter["email"] as? String == "siti@example.org")
                #expect(reporter["nik"] == nil)
                #expect(await fake.posts().first?.body.contains("6371010101010001") == false)
            }
        }
    }

    @Test("500 twice, then success: retried after 30 s and 60 s, the same Idempotency-Key each time, recorded once")
    func retryWithBackoff() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                app.clock.set(start)
                connect(app, to: url)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                let tid = try await forwarded(app, coordinator)
                await fake.failNext(2)
                let w = worker(app)

                // (the submission's and the forward's notifications go out in the first run)
                var result = try await w.deliverOutbox()
                #expect(result.1 == 1)
                var message = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == National.forwardKind).first())
                #expect(message.status == "pending" && message.attempts == 1)
                #expect(message.nextAttemptAt == start.addingTimeInterval(30))
                #expect(message.lastError?.contains("HTTP 500") == true)

                // Not due yet: nothing is sent
                result = try await w.deliverOutbox()
                #expect(result == (0, 0))
                #expect(await fake.posts().count == 1)

                app.clock.advance(by: 30)
                result = try await w.deliverOutbox()
                #expect(result == (0, 1))
                message = try #require(try await OutboxMessage.find(message.id, on: app.db))
                #expect(message.attempts == 2)
                #expect(message.nextAttemptAt == start.addingTimeInterval(30 + 60))

                app.clock.advance(by: 60)
                result = try await w.deliverOutbox()
                #expect(result == (1, 0))

                let posts = await fake.posts()
                #expect(posts.count == 3)
                #expect(Set(posts.map(\.idempotencyKey)) == [message.idempotencyKey])
                #expect(await fake.complaints.count == 1)
                #expect(try await app.complaint(tid).externalRef != nil)
                #expect(try await events(app, tid, action: .external_update).count == 1)
            }
        }
    }

    @Test("a call that timed out but that LAPOR carried out is sent again with its key and creates nothing twice")
    func timeoutThenRedelivery() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                app.clock.set(start)
                connect(app, to: url, timeout: 1)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                let tid = try await forwarded(app, coordinator)
                await fake.delayNext(2.5)

                // When LAPOR answers after the deadline
                #expect(try await worker(app).deliverOutbox().1 == 1)
                let message = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == National.forwardKind).first())
                #expect(message.attempts == 1 && message.status == "pending")
                #expect(try await app.complaint(tid).externalRef == nil)
                // (LAPOR finishes the work after our client gave up)
                var waited = 0
                while await fake.complaints.isEmpty && waited < 100 { try await Task.sleep(nanoseconds: 50_000_000); waited += 1 }
                let national = try #require(await fake.complaints.keys.first)

                // Then the retry carries the same key, LAPOR answers with the first answer, and the number is recorded
                app.clock.advance(by: 30)
                #expect(try await worker(app).deliverOutbox() == (1, 0))
                let posts = await fake.posts()
                #expect(posts.count == 2)
                #expect(posts.allSatisfy { $0.idempotencyKey == message.idempotencyKey })
                #expect(await fake.complaints.count == 1)
                #expect(try await app.complaint(tid).externalRef == national)
            }
        }
    }

    /// LAPOR carried out the call, then the worker died before recording the number.
    struct LosingBridge: LaporBridge {
        let inner: any LaporBridge
        let lost: Box
        final class Box: @unchecked Sendable { var remaining = 1 }
        func forward(_ complaint: LaporOutgoingComplaint, idempotencyKey: String) async throws -> LaporReceipt {
            let receipt = try await inner.forward(complaint, idempotencyKey: idempotencyKey)
            if lost.remaining > 0 { lost.remaining -= 1; throw Abort(.internalServerError, reason: "worker died before recording") }
            return receipt
        }
        func pushAnswer(_ answer: LaporAnswer, to nationalID: String, idempotencyKey: String) async throws {
            try await inner.pushAnswer(answer, to: nationalID, idempotencyKey: idempotencyKey)
        }
        func status(of nationalID: String) async throws -> LaporStatusReport { try await inner.status(of: nationalID) }
    }

    @Test("a worker that dies after LAPOR answered: the next delivery repeats the key and LAPOR keeps one complaint")
    func crashBeforeRecording() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                app.clock.set(start)
                let settings = LaporSettings(baseURL: url, token: FakeLapor.token, timeout: 5)
                app.laporSettings = settings
                app.laporBridge = LosingBridge(inner: HTTPLaporBridge(settings: settings, client: app.client), lost: .init())
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                let tid = try await forwarded(app, coordinator)
                #expect(try await worker(app).deliverOutbox().1 == 1)
                app.clock.advance(by: 30)
                #expect(try await worker(app).deliverOutbox() == (1, 0))
                let posts = await fake.posts()
                #expect(posts.count == 2 && posts[0].idempotencyKey == posts[1].idempotencyKey)
                #expect(await fake.complaints.count == 1)
                #expect(try await app.complaint(tid).externalRef == (await fake.complaints.keys.first))
                #expect(try await events(app, tid, action: .external_update).count == 1)
            }
        }
    }

    @Test("two workers draining at once forward each of 20 complaints exactly once")
    func twoWorkers() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                connect(app, to: url)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                var ids: [String] = []
                for _ in 0..<20 { ids.append(try await forwarded(app, coordinator)) }
                let first = worker(app), second = worker(app)
                async let a = first.deliverOutbox()
                async let b = second.deliverOutbox()
                let (ra, rb) = try await (a, b)
                #expect(ra.1 == 0 && rb.1 == 0)
                let posts = await fake.posts()
                #expect(posts.count == 20)
                #expect(Set(posts.compactMap(\.idempotencyKey)).count == 20)
                #expect(await fake.complaints.count == 20)
                var refs = Set<String>()
                for id in ids { refs.insert(try #require(try await app.complaint(id).externalRef)) }
                #expect(refs.count == 20)
                // and running both again sends nothing
                async let c = first.deliverOutbox()
                async let d = second.deliverOutbox()
                _ = try await (c, d)
                #expect(await fake.posts().count == 20)
            }
        }
    }

    @Test("a bridge that keeps failing leaves a dead letter with LAPOR's answer after the last attempt")
    func deadLetter() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                app.clock.set(start)
                connect(app, to: url)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                _ = try await forwarded(app, coordinator)
                await fake.failNext(Worker.maxAttempts, with: .badGateway)
                for _ in 0..<Worker.maxAttempts {
                    _ = try await worker(app).deliverOutbox()
                    app.clock.advance(by: 6 * 3600 + 1)
                }
                let message = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == National.forwardKind).first())
                #expect(message.status == "dead")
                #expect(message.attempts == Worker.maxAttempts)
                #expect(message.lastError?.contains("HTTP 502") == true)
                #expect(await fake.posts().count == Worker.maxAttempts)
            }
        }
    }

    @Test("LAPOR refusing the request itself (a 4xx) is a dead letter at once; 408 and 429 are retried")
    func permanentRefusal() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                app.clock.set(start)
                connect(app, to: url)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                _ = try await forwarded(app, coordinator)
                _ = try await forwarded(app, coordinator)
                await fake.failNext(1, with: .tooManyRequests)
                await fake.failNext(1, with: .unprocessableEntity)
                _ = try await worker(app).deliverOutbox()
                let messages = try await OutboxMessage.query(on: app.db).filter(\.$kind == National.forwardKind).sort(\.$id).all()
                #expect(messages.map(\.status) == ["pending", "dead"])
                #expect(messages[1].attempts == 1 && messages[1].lastError?.contains("permanent failure: SP4N-LAPOR! answered HTTP 422") == true)
                app.clock.advance(by: 30)
                _ = try await worker(app).deliverOutbox()
                #expect(try await OutboxMessage.find(messages[0].id, on: app.db)?.status == "sent")
                #expect(await fake.posts().count == 3)
            }
        }
    }

    @Test("without the bridge, a forward to lapor needs LAPOR's number; with it, nothing is sent; other destinations are unchanged")
    func bridgeOff() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            #expect(app.laporBridge == nil)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let s = try await app.submit()
            let (refused, body) = try await app.act(coordinator, s.tracking_id, "forward_external", ["destination": "lapor"])
            #expect(refused == .unprocessableEntity)
            #expect(json(body)["error"].flatMap { ($0 as? [String: Any])?["field"] as? String } == "external_ref")
            #expect(try await app.complaint(s.tracking_id).state == "baru")

            let (ok, _) = try await app.act(coordinator, s.tracking_id, "forward_external", ["destination": "LAPOR", "external_ref": "4471234"])
            #expect(ok == .ok)
            let c = try await app.complaint(s.tracking_id)
            #expect(c.externalDestination == "lapor" && c.externalRef == "4471234")
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$kind == National.forwardKind).count() == 0)

            let other = try await app.submit()
            let (free, _) = try await app.act(coordinator, other.tracking_id, "forward_external", ["destination": "Ombudsman RI Perwakilan Kalsel"])
            #expect(free == .ok)
        }
    }

    @Test("status sync: each change in LAPOR becomes one internal note; no news, no note; final statuses stop the polling")
    func statusSync() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                app.clock.set(start)
                connect(app, to: url)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                let tid = try await forwarded(app, coordinator)
                _ = try await worker(app).deliverOutbox()
                let national = try #require(try await app.complaint(tid).externalRef)
                let sync = LaporStatusSync(app: app)

                // LAPOR still says what it said on receipt: asked, nothing recorded
                #expect(await sync.sweep() == 0)
                #expect(await fake.gets().count == 1)
                #expect(try await events(app, tid, action: .external_update).count == 1)
                // Asked again within the interval: not asked at all
                #expect(await sync.sweep() == 0)
                #expect(await fake.gets().count == 1)

                await fake.setStatus(national, .init(status: "Dalam Proses", updatedAt: "2026-04-02T10:00:00+08:00",
                                                     responses: [["agency": "Kementerian Kesehatan", "text": "Laporan sedang ditelaah."]]))
                app.clock.advance(by: LaporSettings.defaultSyncInterval + 1)
                // Two workers at once: one asks, one note
                let other = LaporStatusSync(app: app)
                async let a = sync.sweep()
                async let b = other.sweep()
                let (ca, cb) = await (a, b)
                #expect(ca + cb == 1)
                #expect(await fake.gets().count == 2)
                var updates = try await events(app, tid, action: .external_update)
                #expect(updates.count == 2)
                #expect(updates[1].internalText?.contains("Dalam Proses") == true)
                #expect(updates[1].internalText?.contains("Laporan sedang ditelaah.") == true)
                #expect(updates[1].isPublic == false)
                #expect(try await app.complaint(tid).externalStatus == "Dalam Proses")

                await fake.setStatus(national, .init(status: "Selesai", updatedAt: "2026-04-10T15:00:00+08:00",
                                                     responses: [["agency": "Kementerian Kesehatan", "text": "Sudah ditindaklanjuti oleh RSUD."]]))
                app.clock.advance(by: LaporSettings.defaultSyncInterval + 1)
                #expect(await sync.sweep() == 1)
                updates = try await events(app, tid, action: .external_update)
                #expect(updates.count == 3)
                #expect(updates[2].dataDictionary["external_status"] == "Selesai")

                // Final: never asked again
                app.clock.advance(by: 10 * LaporSettings.defaultSyncInterval)
                #expect(await sync.sweep() == 0)
                #expect(await fake.gets().count == 3)
                let problems = try await AuditVerifier.verify(app).problems
                #expect(problems.isEmpty, "\(problems)")
                #expect(try await app.complaint(tid).state == "diteruskan")
            }
        }
    }

    @Test("follow-ups and final answers on a complaint imported from LAPOR are pushed back to it, each once")
    func answersPushed() async throws {
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            try await FakeLapor.with { fake, url in
                connect(app, to: url)
                let coordinator = try await app.createOfficer("koord", .coordinator, "63")
                let liaison = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
                let csv = """
                    No. Tiket,Judul,Isi Laporan,Tanggal Laporan,Status
                    4455001,Obat kosong di puskesmas,Sudah tiga hari obat hipertensi tidak tersedia di apotek puskesmas.,2026-03-30 10:00,Terverifikasi
                    """
                let report = try await LaporImport.run(Data(csv.utf8), jurisdiction: "63", partial: false, actorRole: "coordinator",
                                                       actorID: "koord", app: app)
                let tid = try #require(report.complaints.first?.tracking_id)
                #expect(try await app.act(coordinator, tid, "verify", ["unit": "63/dinkes"]).0 == .ok)
                #expect(try await app.act(liaison, tid, "follow_up", ["text": "Stok obat sedang dikirim dari gudang farmasi."]).0 == .ok)
                #expect(try await app.act(liaison, tid, "respond_final", ["text": "Obat hipertensi sudah tersedia kembali."]).0 == .ok)
                let messages = try await OutboxMessage.query(on: app.db).filter(\.$kind == National.answerKind).all()
                #expect(messages.count == 2)

                _ = try await worker(app).deliverOutbox()
                _ = try await worker(app).deliverOutbox()
                let posts = await fake.posts(to: "/responses")
                #expect(posts.count == 2)
                #expect(posts.map(\.path) == ["/api/v1/complaints/4455001/responses", "/api/v1/complaints/4455001/responses"])
                #expect(posts.map { $0.json["kind"] as? String } == ["follow_up", "final_answer"])
                #expect(posts[0].json["agency"] as? String == "Dinas Kesehatan")
                #expect(Set(posts.compactMap(\.idempotencyKey)) == Set(messages.map(\.idempotencyKey)))
                #expect(await fake.answers["4455001"] == ["Stok obat sedang dikirim dari gudang farmasi.", "Obat hipertensi sudah tersedia kembali."])
            }
        }
    }

    @Test("the bridge's settings come from the environment; a URL without a token is refused at start-up")
    func settings() throws {
        #expect(try LaporSettings.fromEnvironment([:]) == nil)
        let s = try #require(try LaporSettings.fromEnvironment(["ADUAN_LAPOR_URL": "https://lapor.example.go.id/api/", "ADUAN_LAPOR_TOKEN": "t",
                                                                 "ADUAN_LAPOR_TIMEOUT": "20", "ADUAN_LAPOR_SYNC_INTERVAL": "900"]))
        #expect(s == LaporSettings(baseURL: "https://lapor.example.go.id/api", token: "t", timeout: 20, syncInterval: 900))
        #expect(throws: Settings.Invalid.self) { try LaporSettings.fromEnvironment(["ADUAN_LAPOR_URL": "https://lapor.example.go.id"]) }
        #expect(throws: Settings.Invalid.self) { try LaporSettings.fromEnvironment(["ADUAN_LAPOR_URL": "ftp://x", "ADUAN_LAPOR_TOKEN": "t"]) }
        #expect(throws: Settings.Invalid.self) {
            try LaporSettings.fromEnvironment(["ADUAN_LAPOR_URL": "https://x.id", "ADUAN_LAPOR_TOKEN": "t", "ADUAN_LAPOR_TIMEOUT": "0"])
        }
    }
}
