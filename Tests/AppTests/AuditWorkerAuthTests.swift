import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

@Suite("Audit: the hash-chained event log detects tampering")
struct AuditTests {
    func setUp(_ app: Application) async throws -> String {
        let coordinator = try await app.createOfficer("koord", .coordinator, "63")
        let s = try await app.submit()
        _ = try await app.act(coordinator, s.tracking_id, "verify", ["unit": "63/dinkes"])
        _ = try await app.act(coordinator, s.tracking_id, "note", ["internal_text": "Dicek ulang."])
        let problems = try await AuditVerifier.verify(app).problems
        #expect(problems.isEmpty, "\(problems)")
        return s.tracking_id
    }

    @Test("editing one event's text is caught")
    func editedEvent() async throws {
        try await TestHarness.withApp { app in
            _ = try await setUp(app)
            try await (app.db as! any SQLDatabase).raw("UPDATE events SET internal_text = 'Tidak ada apa-apa.' WHERE action = 'note'").run()
            let result = try await AuditVerifier.verify(app)
            #expect(result.problems.contains { $0.contains("altered") })
        }
    }

    @Test("deleting the newest event, or one in the middle, is caught")
    func deletedEvents() async throws {
        try await TestHarness.withApp { app in
            _ = try await setUp(app)
            try await (app.db as! any SQLDatabase).raw("DELETE FROM events WHERE action = 'note'").run()
            #expect(try await AuditVerifier.verify(app).problems.contains { $0.contains("deleted") })
        }
        try await TestHarness.withApp { app in
            _ = try await setUp(app)
            try await (app.db as! any SQLDatabase).raw("DELETE FROM events WHERE action = 'verify'").run()
            #expect(!(try await AuditVerifier.verify(app).problems.isEmpty))
        }
    }

    @Test("changing an event's time or its late flag is caught")
    func editedTime() async throws {
        try await TestHarness.withApp { app in
            _ = try await setUp(app)
            let sql = app.db as! any SQLDatabase
            try await sql.update("events").set("late", to: true).where("action", .equal, "verify").run()
            #expect(!(try await AuditVerifier.verify(app).problems.isEmpty))
        }
    }
}

@Suite("Worker: automatic transitions, escalation and the outbox on a controlled clock")
struct WorkerTests {
    let start = Date(timeIntervalSince1970: 1_775_005_200) // Wednesday 2026-04-01 09:00 WITA

    @Test("an answered complaint closes itself after 10 working days; an unanswered request for information archives")
    func autoCloseAndArchive() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(start)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let liaison = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let answered = try await app.submit(), silent = try await app.submit()
            _ = try await app.act(coordinator, answered.tracking_id, "verify", ["unit": "63/dinkes"])
            _ = try await app.act(liaison, answered.tracking_id, "respond_final", ["text": "Sudah ditangani."])
            _ = try await app.act(coordinator, silent.tracking_id, "request_info", ["text": "Di mana lokasinya?"])
            let worker = Worker(app: app, transport: LoggingTransport(logger: app.logger))

            // 9 calendar days later (Good Friday 3 April is a holiday): nothing yet
            app.clock.advance(by: 9 * 86_400)
            var report = try await worker.runOnce()
            #expect(report.closed == 0 && report.archived == 0)
            // 10 working days after 1 April (skipping 3 April and weekends) is 16 April; the day after, both act
            app.clock.set(start.addingTimeInterval(16 * 86_400))
            report = try await worker.runOnce()
            #expect(report.closed == 1)
            #expect(report.archived == 1)
            #expect(try await app.complaint(answered.tracking_id).state == "selesai")
            let archived = try await app.complaint(silent.tracking_id)
            #expect(archived.state == "diarsipkan" && archived.archiveReason == "tidak_lengkap")
            // A second sweep does nothing more
            report = try await worker.runOnce()
            #expect(report.closed == 0 && report.archived == 0)
            let problems = try await AuditVerifier.verify(app).problems
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("a complaint left untouched climbs the escalation ladder on working days")
    func escalation() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(start)
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let s = try await app.submit()
            _ = try await app.act(coordinator, s.tracking_id, "verify", ["unit": "63/dinkes"])
            let worker = Worker(app: app, transport: LoggingTransport(logger: app.logger))
            // Response due: 5 working days after Wed 1 April, skipping Fri 3 April → Thu 9 April 23:59:59
            let due = try #require(try await app.complaint(s.tracking_id).officerDue)
            app.clock.set(due.addingTimeInterval(1))
            _ = try await worker.runOnce()
            #expect(try await app.complaint(s.tracking_id).escalationLevel == 1)
            app.clock.set(due.addingTimeInterval(2 * 86_400)) // Sat 11 April: still level 1 (2 HK later is Mon 13 April)
            _ = try await worker.runOnce()
            #expect(try await app.complaint(s.tracking_id).escalationLevel == 1)
            app.clock.set(due.addingTimeInterval(4 * 86_400 + 1)) // after Mon 13 April
            _ = try await worker.runOnce()
            #expect(try await app.complaint(s.tracking_id).escalationLevel == 2)
            app.clock.set(due.addingTimeInterval(7 * 86_400 + 1)) // after Thu 16 April (5 HK)
            _ = try await worker.runOnce()
            #expect(try await app.complaint(s.tracking_id).escalationLevel == 3)
            let audiences = try await OutboxMessage.query(on: app.db).filter(\.$kind ~~ ["overdue", "escalation"]).all().map(\.audience)
            #expect(Set(audiences) == ["unit_liaisons:63/dinkes", "unit_head:63/dinkes", "coordinators:63", "inspectorate:63"])
            let escalations = try await Event.query(on: app.db).filter(\.$action == "escalate").count()
            #expect(escalations == 3)
        }
    }

    @Test("every message is delivered once; a failing transport retries with backoff, nothing is lost")
    func outbox() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(start)
            _ = try await app.submit(); _ = try await app.submit()
            let pending = try await OutboxMessage.query(on: app.db).count()
            #expect(pending == 4) // received + new_complaint, twice
            let failing = Worker(app: app, transport: FailingTransport())
            var report = try await failing.runOnce()
            #expect(report.failed == 4 && report.delivered == 0)
            let recorder = RecordingTransport()
            let working = Worker(app: app, transport: recorder)
            report = try await working.runOnce()
            #expect(report.delivered == 0) // backing off
            app.clock.advance(by: 60)
            report = try await working.runOnce()
            #expect(report.delivered == 4)
            #expect(Set(await recorder.keys).count == 4)
            report = try await working.runOnce()
            #expect(report.delivered == 0)
        }
    }
}

struct FailingTransport: MessageTransport {
    struct Down: Error {}
    func deliver(_ message: OutboxSnapshot) async throws -> String? { throw Down() }
}

actor RecordingTransport: MessageTransport {
    var keys: [String] = []
    func deliver(_ message: OutboxSnapshot) async throws -> String? { keys.append(message.idempotencyKey); return nil }
}

@Suite("Sign-in, reference data and operations")
struct AuthAndOpsTests {
    @Test("wrong passwords are refused and lock the account after five tries")
    func lockout() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            for _ in 0..<5 {
                try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                    try req.content.encode(["username": "koord", "password": "wrong-password"])
                }, afterResponse: { res in #expect(res.status == .unauthorized) })
            }
            try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                try req.content.encode(["username": "koord", "password": "password-koord"])
            }, afterResponse: { res in #expect(res.status == .tooManyRequests) })
        }
    }

    @Test("an account with two-factor needs the current TOTP code")
    func totp() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("insp", .inspector, "63")
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "insp").first())
            user.totpSealed = try app.secrets.sealTOTP("JBSWY3DPEHPK3PXP")
            try await user.update(on: app.db)
            let code = TOTP.code(secret: TOTP.base32Decode("JBSWY3DPEHPK3PXP")!, at: app.clock.now)
            for (totp, expected) in [(nil, HTTPStatus.unauthorized), ("000000", .unauthorized), (code, .ok)] as [(String?, HTTPStatus)] {
                try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                    var body = ["username": "insp", "password": "password-insp"]
                    body["totp"] = totp
                    try req.content.encode(body)
                }, afterResponse: { res in #expect(res.status == expected, "totp \(totp ?? "none")") })
            }
        }
    }

    @Test("RFC 6238 test vector")
    func totpVector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); the 6-digit form is its last six.
        let secret = Array("12345678901234567890".utf8)
        #expect(TOTP.code(secret: secret, at: Date(timeIntervalSince1970: 59)) == "287082")
    }

    @Test("seeding twice adds nothing; health, metrics and reference data answer")
    func seedAndOps() async throws {
        try await TestHarness.withApp { app in
            let again = try await ReferenceSeeder.seed(on: app.writeDB)
            #expect(again.jurisdictions + again.units + again.holidays + again.categories + again.defaults == 0)
            #expect(try await app.get("/healthz").0 == .ok)
            _ = try await app.submit()
            let (status, metrics) = try await app.get("/metrics")
            #expect(status == .ok)
            #expect(metrics.contains("http_requests_total"))
            let (_, jurisdictions) = try await app.get("/api/v1/jurisdictions")
            #expect(jurisdictions.contains("63.72"))
            let (_, units) = try await app.get("/api/v1/units?jurisdiction=63")
            #expect(units.contains("63/rsud-ulin"))
        }
    }
}

@Suite("Backup")
struct BackupTests {
    @Test("an online backup holds every complaint with an intact event chain")
    func backupIsConsistent() async throws {
        try await TestHarness.withApp { app in
            guard app.usesSQLite else { return } // PostgreSQL backups are pg_dump's; this checks Aduan's own SQLite path
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let s = try await app.submit()
            _ = try await app.act(coordinator, s.tracking_id, "verify", ["unit": "63/dinkes"])
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-backup-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try await Backup.write(app, to: folder)

            // Open the backup as an installation of its own
            let copy = try await Application.make(.testing)
            let settings = try Settings.fromEnvironment(["ADUAN_DATA_DIR": folder.path, "ADUAN_SECRET_KEY": TestHarness.secret])
            try configure(copy, settings: settings)
            copy.logger.logLevel = .warning
            do {
                #expect(try await Complaint.query(on: copy.db).count() == 1)
                let result = try await AuditVerifier.verify(copy)
                #expect(result.problems.isEmpty && result.events == 2)
            } catch { try? await copy.asyncShutdown(); throw error }
            try await copy.asyncShutdown()
        }
    }
}

@Suite("Outbox under concurrency")
struct OutboxConcurrencyTests {
    @Test("two workers drain 1,000 queued messages: every one delivered, none twice")
    func twoWorkers() async throws {
        try await TestHarness.withApp { app in
            let now = app.clock.now
            guard let sql = app.writeDB as? any SQLDatabase else { return }
            for batch in 0..<10 {
                var insert = sql.insert(into: OutboxMessage.schema).columns(["idempotency_key", "kind", "audience", "payload", "status",
                                                                             "attempts", "next_attempt_at", "created_at"])
                for i in 0..<100 {
                    insert = insert.values([SQLBind("load:\(batch * 100 + i)"), SQLBind("received"), SQLBind("reporter"), SQLBind("{}"),
                                            SQLBind("pending"), SQLBind(0), SQLBind(now), SQLBind(now)])
                }
                try await insert.run()
            }
            let recorder = RecordingTransport()
            // Two workers with their own identities claim side by side (FOR UPDATE SKIP LOCKED on PostgreSQL).
            async let first = Worker(app: app, transport: recorder).deliverOutbox()
            async let second = Worker(app: app, transport: recorder).deliverOutbox()
            let (a, b) = try await (first, second)
            let keys = await recorder.keys
            #expect(a.0 + b.0 == 1000)
            #expect(keys.count == 1000 && Set(keys).count == 1000)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$status == "sent").count() == 1000)
        }
    }
}
