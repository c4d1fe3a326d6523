import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

@Suite("Complaint API: the whole lifecycle over HTTP")
struct ComplaintAPITests {
    @Test("a complaint goes from submission to a confirmed, rated answer")
    func happyPath() async throws {
        try await TestHarness.withApp { app in
            // Given officers of the province and a submitted complaint (Friday 2026-03-13 15:00 WITA)
            app.clock.set(Date(timeIntervalSince1970: 1_773_385_200)) // 2026-03-13T07:00:00Z
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let liaison = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let submitted = try await app.submit(["target_unit": "63/dinkes", "category": "kesehatan"])
            #expect(submitted.state == "baru")
            // SPEC §5 worked example: due 2026-03-25 23:59:59 WITA
            #expect(submitted.due_at == Date(timeIntervalSince1970: 1_774_454_399))
            let id = submitted.tracking_id

            // When the coordinator verifies and dispositions it
            var (status, body) = try await app.act(coordinator, id, "verify", ["unit": "63/dinkes", "category": "kesehatan", "text": "Diteruskan ke Dinas Kesehatan"])
            #expect(status == .ok, "\(body)")
            #expect(json(body)["state"] as? String == "didisposisikan")
            #expect(json(body)["unit"] as? String == "63/dinkes")

            // And the liaison follows up, adds an internal note and answers
            (status, body) = try await app.act(liaison, id, "follow_up", ["text": "Sedang kami periksa."])
            #expect(status == .ok, "\(body)")
            (status, _) = try await app.act(liaison, id, "note", ["internal_text": "Hubungi direktur RS."])
            #expect(status == .ok)
            (status, body) = try await app.act(liaison, id, "respond_final", ["text": "Loket tambahan dibuka."])
            #expect(json(body)["state"] as? String == "ditanggapi")

            // Then the reporter confirms and rates with the secret
            (status, body) = try await app.reporter(submitted.secret, id, "confirm", [:])
            #expect(status == .ok, "\(body)")
            #expect(json(body)["state"] as? String == "selesai")
            (status, body) = try await app.reporter(submitted.pin, id, "feedback", ["rating": 5, "comment": "Terima kasih"])
            #expect(status == .ok, "\(body)")
            #expect(json(body)["rating"] as? Int == 5)

            // And the public timeline shows public steps only, without internal words
            let (_, publicEvents) = try await app.get("/api/v1/complaints/\(id)/events")
            let events = try #require(try JSONSerialization.jsonObject(with: Data(publicEvents.utf8)) as? [[String: Any]])
            #expect(events.map { $0["action"] as? String } == ["submit", "verify", "follow_up", "respond_final", "confirm", "feedback"])
            #expect(!publicEvents.contains("Hubungi direktur"))
            // While the officer timeline has every event with its sequence
            let (_, officerEvents) = try await app.get("/api/v1/complaints/\(id)/events", token: liaison)
            #expect(officerEvents.contains("Hubungi direktur"))
            let problems = try await AuditVerifier.verify(app).problems
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test("the public view hides the reporter; the secret shows it; confidential complaints are invisible")
    func views() async throws {
        // About what a public reader sees of a published complaint, not about when it is published (VisibilityQueryTests): at submission.
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            let open = try await app.submit()
            let (status, body) = try await app.get("/api/v1/complaints/\(open.tracking_id)")
            #expect(status == .ok)
            #expect(json(body)["reporter"] == nil)
            let (_, privateBody) = try await app.get("/api/v1/complaints/\(open.tracking_id.lowercased())", secret: open.secret)
            #expect((json(privateBody)["reporter"] as? [String: Any])?["name"] as? String == "Siti")
            let (badStatus, _) = try await app.get("/api/v1/complaints/\(open.tracking_id)", secret: "wrong")
            #expect(badStatus == .forbidden)

            let secret = try await app.submit(["confidential": true])
            #expect(try await app.get("/api/v1/complaints/\(secret.tracking_id)").0 == .notFound)
            #expect(try await app.get("/api/v1/complaints/\(secret.tracking_id)/events").0 == .notFound)
            #expect(try await app.get("/api/v1/complaints/\(secret.tracking_id)", secret: secret.secret).0 == .ok)
        }
    }

    @Test("an anonymous reporter's identity reaches no officer")
    func anonymous() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let s = try await app.submit(["anonymous": true])
            let (_, body) = try await app.get("/api/v1/complaints/\(s.tracking_id)", token: coordinator)
            #expect(json(body)["reporter"] == nil)
            #expect(!body.contains("Siti"))
            // The coordinator can never clear a reporter's anonymity
            let (status, _) = try await app.act(coordinator, s.tracking_id, "set_privacy", ["anonymous": false])
            #expect(status == .unprocessableEntity)
        }
    }

    @Test("a returned complaint is redispositioned; an extension is requested and approved; a duplicate is merged")
    func returnsExtensionsMerges() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let dpupr = try await app.createOfficer("pupr", .liaison, "63/dpupr")
            let dinkes = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let s = try await app.submit()
            _ = try await app.act(coordinator, s.tracking_id, "verify", ["unit": "63/dinkes"])
            var (status, body) = try await app.act(dinkes, s.tracking_id, "return", ["internal_text": "Bukan wewenang kami: jalan provinsi."])
            #expect(status == .ok && json(body)["state"] as? String == "baru", "\(body)")
            // verify after a return works; redispose is the explicit name for it
            (status, body) = try await app.act(coordinator, s.tracking_id, "redispose", ["unit": "63/dpupr", "resolution_class": "pemeriksaan_lapangan"])
            #expect(status == .ok, "\(body)")
            (status, _) = try await app.act(dpupr, s.tracking_id, "request_extension", ["days": 5, "internal_text": "Menunggu survei."])
            #expect(status == .ok)
            let before = try await app.complaint(s.tracking_id).resolutionDue
            (status, body) = try await app.act(coordinator, s.tracking_id, "decide_extension", ["approve": true])
            #expect(status == .ok, "\(body)")
            let after = try await app.complaint(s.tracking_id).resolutionDue
            #expect(after! > before!)
            (status, _) = try await app.act(dpupr, s.tracking_id, "request_extension", ["days": 2, "internal_text": "Lagi."])
            #expect(status == .conflict)

            let duplicate = try await app.submit()
            (status, body) = try await app.act(coordinator, duplicate.tracking_id, "merge", ["into": s.tracking_id])
            #expect(status == .ok, "\(body)")
            #expect(json(body)["state"] as? String == "diarsipkan")
            #expect(json(body)["merged_into"] as? String == s.tracking_id)
            #expect(try await app.complaint(s.tracking_id).eventCount == 7)
        }
    }

    @Test("an officer-visible list is scoped, filtered and paged")
    func listing() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let kota = try await app.createOfficer("koord.bjm", .coordinator, "63.71")
            for _ in 0..<3 { _ = try await app.submit() }
            _ = try await app.submit(["jurisdiction": "63.71", "title": "Banjir di Kayu Tangi"])
            var (status, body) = try await app.get("/api/v1/complaints?per_page=2", token: coordinator)
            #expect(status == .ok)
            #expect(json(body)["total"] as? Int == 3)
            #expect((json(body)["items"] as? [Any])?.count == 2)
            (_, body) = try await app.get("/api/v1/complaints?q=banjir", token: kota)
            #expect(json(body)["total"] as? Int == 1)
            (_, body) = try await app.get("/api/v1/complaints?q=banjir", token: coordinator)
            #expect(json(body)["total"] as? Int == 0)
            (status, _) = try await app.get("/api/v1/complaints?state=nonsense", token: coordinator)
            #expect(status == .unprocessableEntity)
            (status, _) = try await app.get("/api/v1/complaints")
            #expect(status == .unauthorized)
            let admin = try await app.createOfficer("sysadmin", .sysadmin, "63")
            (_, body) = try await app.get("/api/v1/complaints", token: admin)
            #expect(json(body)["total"] as? Int == 0)
        }
    }
}
