import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// Issue 19: assignment within a unit, through the complaint page, the queue and the API. The expected words are the
/// issue's ("Saya tangani", "milik saya") and this test's own, written by hand, not read from the catalogue.
@Suite("Assignment within a unit: take, assign, release; the queue's \"milik saya\"")
struct AssignmentPageTests {
    @Test("a liaison takes, the head reassigns, the holder releases; refusals in words; events chained; return clears")
    func takeAssignRelease() async throws {
        try await TestHarness.withApp { app in
            let koordToken = try await app.createOfficer("koord", .coordinator, "63")
            let dinkesToken = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            _ = try await app.createOfficer("siti", .liaison, "63/dinkes")
            _ = try await app.createOfficer("kepala", .unit_head, "63/dinkes")
            _ = try await app.createOfficer("pupr", .liaison, "63/dpupr")
            let id = try await app.submit(["title": "Antrean obat RSUD terlalu lama", "target_unit": "63/dinkes"]).tracking_id
            #expect(try await app.act(koordToken, id, "verify", ["unit": "63/dinkes"]).0 == .ok)

            // The liaison's page offers "Saya tangani"; nobody has the complaint yet.
            let dinkes = try await Browser.officer(app, "dinkes")
            var (status, page) = try await dinkes.get("/petugas/aduan/\(id)")
            #expect(status == .ok && page.contains("Saya tangani") && page.contains("Belum ada petugas"))
            let before = try await app.eventCount(id)
            var (posted, body, location) = try await dinkes.post("/petugas/aduan/\(id)", ["aksi": "assign"])
            #expect(posted == .seeOther && location == "/petugas/aduan/\(id)?ok=assign")
            #expect(try await app.complaint(id).assigneeID == "dinkes")
            #expect(try await app.eventCount(id) == before + 1)
            (_, page) = try await dinkes.get("/petugas/aduan/\(id)")
            #expect(page.contains("Ditangani oleh") && page.contains(">dinkes</dd>") && page.contains("Lepaskan penanganan"))

            // The queue shows who has it, and "milik saya" keeps it for dinkes and not for siti.
            (_, page) = try await dinkes.get("/petugas?milik=saya")
            #expect(page.contains(id) && page.contains("Ditangani oleh: dinkes"))
            let siti = try await Browser.officer(app, "siti")
            (_, page) = try await siti.get("/petugas?milik=saya")
            #expect(!page.contains(id))
            (_, page) = try await siti.get("/petugas")
            #expect(page.contains(id) && page.contains("Ditangani oleh: dinkes"))
            (_, page) = try await dinkes.get("/petugas/aduan?milik=saya")
            #expect(page.contains(id))
            (_, page) = try await siti.get("/petugas/aduan?milik=saya")
            #expect(!page.contains(id))

            // Siti cannot take it from dinkes: the refusal in Indonesian, nothing written.
            (_, page) = try await siti.get("/petugas/aduan/\(id)")
            #expect(!page.contains("Lepaskan penanganan"), "only the holder or the head may release")
            (posted, body, _) = try await siti.post("/petugas/aduan/\(id)", ["aksi": "assign", "internal_text": "Saya ambil alih"])
            #expect(posted == .conflict && body.contains("Tindakan ini tidak dapat dilakukan sekarang") && !body.contains("must release"))
            #expect(try await app.complaint(id).assigneeID == "dinkes")

            // The head names an officer of another unit: the message beside the field, in each language, choice kept out.
            let kepala = try await Browser.officer(app, "kepala")
            (_, page) = try await kepala.get("/petugas/aduan/\(id)")
            #expect(page.contains("Tugaskan ke petugas") && page.contains("value=\"siti\"") && !page.contains("value=\"pupr\""))
            let count = try await app.eventCount(id)
            (posted, body, location) = try await kepala.post("/petugas/aduan/\(id)", ["aksi": "assign", "assignee": "pupr", "internal_text": "Tolong bantu"])
            #expect(posted == .unprocessableEntity && location == nil)
            #expect(body.contains("Pilih petugas penghubung dari unit yang menangani aduan ini.") && body.contains("id=\"assign-who-error\""))
            #expect(body.contains(">Tolong bantu</textarea>") && !body.contains("is not a liaison"))
            kepala.cookies[Language.cookie] = "en"
            (posted, body, _) = try await kepala.post("/petugas/aduan/\(id)", ["aksi": "assign", "assignee": "tidak-ada"])
            #expect(posted == .unprocessableEntity && body.contains("Choose a liaison of the unit handling this complaint."))
            kepala.cookies[Language.cookie] = "id"
            #expect(try await app.eventCount(id) == count, "refusals write nothing")

            // The head reassigns to siti; siti releases through the API.
            (posted, _, _) = try await kepala.post("/petugas/aduan/\(id)", ["aksi": "assign", "assignee": "siti"])
            #expect(posted == .seeOther)
            #expect(try await app.complaint(id).assigneeID == "siti")
            let sitiToken = try await app.login("siti")
            #expect(try await app.act(dinkesToken, id, "release").0 == .forbidden)
            #expect(try await app.act(sitiToken, id, "release").0 == .ok)
            #expect(try await app.complaint(id).assigneeID == nil)
            #expect(try await app.act(sitiToken, id, "release").0 == .conflict)

            // The events: internal, with actor role and names; the chain and the projection verify.
            let events = try await Event.query(on: app.db).sort(\.$seq).all().filter { ["assign", "release"].contains($0.action) }
            #expect(events.map(\.action) == ["assign", "assign", "release"])
            #expect(events.map(\.actorRole) == ["liaison", "unit_head", "liaison"])
            #expect(events.map { $0.dataDictionary["assignee"] } == ["dinkes", "siti", nil])
            #expect(events.allSatisfy { !$0.isPublic })
            // The public page shows none of it.
            (status, page) = try await Browser(app).get("/t/\(id)")
            #expect(status == .ok && !page.contains("siti") && !page.contains("Ditugaskan"))

            // Taken again, then returned: the assignment goes with the unit.
            #expect(try await app.act(dinkesToken, id, "assign").0 == .ok)
            #expect(try await app.act(dinkesToken, id, "return", ["internal_text": "Bukan wewenang dinas kesehatan"]).0 == .ok)
            #expect(try await app.complaint(id).assigneeID == nil)
            #expect(try await AuditVerifier.verify(app).problems.isEmpty)

            // A row edited behind the log's back is caught by the audit.
            let row = try await app.complaint(id)
            row.assigneeID = "siti"
            try await row.update(on: app.writeDB)
            #expect(try await AuditVerifier.verify(app).problems.contains { $0.contains("assignee") })
        }
    }
}
