import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

@Suite("QR channel: codes, images, the /q/ form and its counts")
struct QRTests {
    func create(_ app: Application, _ token: String, _ body: [String: any Sendable]) async throws -> (HTTPStatus, [String: Any]) {
        let data = try JSONSerialization.data(withJSONObject: body)
        var out: (HTTPStatus, [String: Any]) = (.internalServerError, [:])
        try await app.testing().test(.POST, "/api/v1/qr", headers: ["content-type": "application/json", "authorization": "Bearer \(token)"],
                                     body: ByteBuffer(data: data), afterResponse: { res in out = (res.status, json(res.body.string)) })
        return out
    }

    @Test("the coordinator creates a code; others may not; images obey their limits")
    func createAndImages() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let kota = try await app.createOfficer("koord.bjm", .coordinator, "63.71")
            let liaison = try await app.createOfficer("ulin", .liaison, "63/rsud-ulin")
            let (status, made) = try await create(app, coordinator, ["unit": "63/rsud-ulin", "label": "Loket Poli Anak"])
            #expect(status == .created)
            let code = try #require(made["code"] as? String)
            #expect(try await create(app, kota, ["unit": "63/rsud-ulin"]).0 == .forbidden)
            #expect(try await create(app, liaison, ["unit": "63/rsud-ulin"]).0 == .forbidden)
            #expect(try await create(app, coordinator, ["unit": "63/tidak-ada"]).0 == .unprocessableEntity)

            var (imageStatus, svg) = try await app.get("/api/v1/qr/\(code.lowercased()).svg")
            #expect(imageStatus == .ok && svg.contains("<svg"))
            (imageStatus, _) = try await app.get("/api/v1/qr/\(code).png?size=4&level=H")
            #expect(imageStatus == .ok)
            #expect(try await app.get("/api/v1/qr/\(code).png?size=999").0 == .unprocessableEntity)
            #expect(try await app.get("/api/v1/qr/\(code).png?level=X").0 == .unprocessableEntity)
            #expect(try await app.get("/api/v1/qr/\(code).gif").0 == .notFound)
            let (posterStatus, pdf) = try await app.get("/api/v1/qr/\(code)/poster.pdf")
            #expect(posterStatus == .ok && pdf.hasPrefix("%PDF-"))
            let (_, snippet) = try await app.get("/api/v1/qr/\(code)/snippet")
            #expect(snippet.contains("/q/\(code)") && snippet.contains("RSUD Ulin"))
        }
    }

    @Test("a scan opens the unit's form; the complaint lands in the coordinator's queue as channel qr; counts follow")
    func journey() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let liaison = try await app.createOfficer("ulin", .liaison, "63/rsud-ulin")
            let code = try #require(try await create(app, coordinator, ["unit": "63/rsud-ulin"]).1["code"] as? String)
            let browser = Browser(app)
            let (status, page) = try await browser.get("/q/\(code)")
            #expect(status == .ok && page.contains("RSUD Ulin Banjarmasin"))
            try await browser.get("/q/\(code)")
            // Errors come back on the same one-screen form
            let (bad, badPage, _) = try await browser.post("/q/\(code)", ["title": "", "body": "pendek"])
            #expect(bad == .unprocessableEntity && badPage.contains("title-error") && badPage.contains("RSUD Ulin"))
            let (sent, _, location) = try await browser.post("/q/\(code)", ["title": "Antrean lama", "body": "Antrean di loket poli anak sangat lama.",
                                                                          "jurisdiction": "63.71", "target_unit": "63/dinkes"])
            #expect(sent == .seeOther && location == "/lapor/terkirim")
            let complaint = try #require(try await Complaint.query(on: app.db).first())
            #expect(complaint.channel == "qr" && complaint.qrCode == code && complaint.targetUnitID == "63/rsud-ulin")
            #expect(complaint.jurisdictionCode == "63" && complaint.state == "baru")
            // The unit sees its codes with scans, complaints and conversion, but cannot rotate them
            let (_, list) = try await app.get("/api/v1/qr?unit=63/rsud-ulin", token: liaison)
            let entry = try #require((try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]])?.first)
            #expect(entry["scans"] as? Int == 2 && entry["complaints"] as? Int == 1 && entry["conversion"] as? Double == 0.5)
            var rotateStatus: HTTPStatus = .ok
            try await app.testing().test(.POST, "/api/v1/qr/\(code)/rotate", headers: ["authorization": "Bearer \(liaison)"],
                                         afterResponse: { res in rotateStatus = res.status })
            #expect(rotateStatus == .forbidden)
        }
    }

    @Test("a rotated code leads to its replacement; a deactivated one to the general form")
    func rotateAndDeactivate() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let old = try #require(try await create(app, coordinator, ["unit": "63/dinkes"]).1["code"] as? String)
            var fresh = ""
            try await app.testing().test(.POST, "/api/v1/qr/\(old)/rotate", headers: ["authorization": "Bearer \(coordinator)"], afterResponse: { res in
                #expect(res.status == .ok)
                fresh = json(res.body.string)["code"] as? String ?? ""
            })
            #expect(!fresh.isEmpty && fresh != old)
            let (_, replaced) = try await app.get("/q/\(old)")
            #expect(replaced.contains("/q/\(fresh)"))
            try await app.testing().test(.POST, "/api/v1/qr/\(fresh)/deactivate", headers: ["authorization": "Bearer \(coordinator)"],
                                         afterResponse: { res in #expect(res.status == .ok) })
            let (_, inactive) = try await app.get("/q/\(fresh)")
            #expect(inactive.contains(#"href="/lapor""#))
            // An inactive code takes no complaint
            let browser = Browser(app)
            try await browser.get("/q/\(fresh)")
            try await browser.post("/q/\(fresh)", ["title": "Coba", "body": "Laporan lewat kode yang sudah mati."])
            #expect(try await Complaint.query(on: app.db).count() == 0)
            #expect(try await app.get("/q/ZZZZZZZZ").0 == .notFound)
        }
    }
}

@Suite("Officer web: sign-in and the QR code page")
struct OfficerQRPageTests {
    @Test("the coordinator signs in, creates, rotates and deactivates codes; a liaison sees counts but no buttons")
    func managePage() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("ulin", .liaison, "63/rsud-ulin")
            let browser = Browser(app)
            #expect(try await browser.get("/petugas/qr").0 == .seeOther)
            try await browser.get("/petugas/masuk")
            #expect(try await browser.post("/petugas/masuk", ["username": "koord", "password": "salah"]).0 == .unauthorized)
            let (signedIn, _, location) = try await browser.post("/petugas/masuk", ["username": "koord", "password": "password-koord"])
            #expect(signedIn == .seeOther && location == "/petugas")
            try await browser.get("/petugas/qr")
            let (created, _, _) = try await browser.post("/petugas/qr", ["unit": "63/rsud-ulin", "label": "Loket Poli Anak"])
            #expect(created == .seeOther)
            let code = try #require(try await UnitQRCode.query(on: app.db).first()?.code)
            var (_, page) = try await browser.get("/petugas/qr?ok=create")
            #expect(page.contains("Loket Poli Anak") && page.contains("/api/v1/qr/\(code)/poster.pdf") && page.contains("/petugas/qr/\(code)/rotate"))
            #expect(try await browser.post("/petugas/qr", ["unit": "63.71/dinkes"]).0 == .unprocessableEntity)
            try await browser.post("/petugas/qr/\(code)/rotate", [:])
            #expect(try await UnitQRCode.query(on: app.db).filter(\.$active == true).count() == 1)
            try await browser.post("/petugas/keluar", [:])
            #expect(try await browser.get("/petugas/qr").0 == .seeOther)

            let liaison = Browser(app)
            try await liaison.get("/petugas/masuk")
            try await liaison.post("/petugas/masuk", ["username": "ulin", "password": "password-ulin"])
            (_, page) = try await liaison.get("/petugas/qr")
            #expect(page.contains("Loket Poli Anak") && !page.contains("/rotate") && !page.contains(#"action="/petugas/qr" "#))
            let fresh = try #require(try await UnitQRCode.query(on: app.db).filter(\.$active == true).first()?.code)
            #expect(try await liaison.post("/petugas/qr/\(fresh)/deactivate", [:]).0 == .forbidden)
        }
    }
}
