import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

@Suite("Scope enforcement: officers outside a complaint's scope can neither read nor act")
struct ScopeTests {
    @Test("another unit's liaison and another kabupaten's coordinator get 403/404 for reads and every action, and nothing changes")
    func outsiders() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let otherUnit = try await app.createOfficer("pupr", .liaison, "63/dpupr")
            let otherKota = try await app.createOfficer("koord.bjm", .coordinator, "63.71")
            let kotaInspector = try await app.createOfficer("insp.bjm", .inspector, "63.71")
            let open = try await app.submit()
            let hidden = try await app.submit(["confidential": true])
            for s in [open, hidden] {
                _ = try await app.act(coordinator, s.tracking_id, "verify", ["unit": "63/dinkes"])
            }
            for outsider in [otherUnit, otherKota, kotaInspector] {
                for s in [open, hidden] {
                    let before = try await app.complaint(s.tracking_id).eventCount
                    let expected: Set<HTTPStatus> = s.tracking_id == hidden.tracking_id ? [.notFound] : [.forbidden]
                    #expect(expected.contains(try await app.get("/api/v1/complaints/\(s.tracking_id)", token: outsider).0))
                    #expect(expected.contains(try await app.get("/api/v1/complaints/\(s.tracking_id)/events", token: outsider).0))
                    for action in Action.officerActions {
                        let body: [String: any Sendable] = ["unit": "63/dpupr", "text": "x", "internal_text": "x", "reason": "spam",
                                                            "jurisdiction": "63.71", "destination": "x", "days": 2, "approve": true,
                                                            "into": open.tracking_id, "anonymous": true]
                        let (status, text) = try await app.act(outsider, s.tracking_id, action.rawValue, body)
                        #expect(expected.contains(status), "\(action.rawValue): \(status) \(text)")
                    }
                    #expect(try await app.complaint(s.tracking_id).eventCount == before)
                }
            }
            // The province's inspector sees into the kabupaten/kota, the kota's does not see the province
            let provinceInspector = try await app.createOfficer("insp", .inspector, "63")
            #expect(try await app.get("/api/v1/complaints/\(hidden.tracking_id)", token: provinceInspector).0 == .ok)
        }
    }

    @Test("a liaison acts on its own unit's complaint but a liaison may not verify")
    func rolesInScope() async throws {
        try await TestHarness.withApp { app in
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let dinkes = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let s = try await app.submit()
            #expect(try await app.act(dinkes, s.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .forbidden)
            #expect(try await app.act(coordinator, s.tracking_id, "verify", ["unit": "63/rsud-ulin"]).0 == .ok)
            // a parent unit's liaison reaches its sub-unit
            #expect(try await app.act(dinkes, s.tracking_id, "follow_up", ["text": "Diproses RSUD."]).0 == .ok)
            // an illegal transition is 409 and changes nothing
            let before = try await app.complaint(s.tracking_id).eventCount
            #expect(try await app.act(coordinator, s.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .conflict)
            #expect(try await app.complaint(s.tracking_id).eventCount == before)
        }
    }
}

@Suite("Bad input: a clear 4xx and nothing changes")
struct BadInputTests {
    func count(_ app: Application) async throws -> Int { try await Complaint.query(on: app.db).count() }

    func post(_ app: Application, _ body: String, contentType: String = "application/json") async throws -> (HTTPStatus, String) {
        try await post(app, Array(body.utf8), contentType: contentType)
    }

    func post(_ app: Application, _ body: [UInt8], contentType: String) async throws -> (HTTPStatus, String) {
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(.POST, "/api/v1/complaints", headers: ["content-type": contentType], body: ByteBuffer(bytes: body),
                                     afterResponse: { res in out = (res.status, res.body.string) })
        return out
    }

    @Test("malformed JSON, wrong types, missing fields, huge strings and unknown values are refused")
    func submissions() async throws {
        try await TestHarness.withApp { app in
            let cases: [(String, Set<UInt>)] = [
                ("{", [400]),
                ("[]", [400]),
                (#"{"title": 5, "body": "Lubang besar sekali di jalan", "jurisdiction": "63"}"#, [400]),
                (#"{"body": "Lubang besar sekali di jalan", "jurisdiction": "63"}"#, [400]),
                (#"{"title": "Jalan", "body": "pendek", "jurisdiction": "63"}"#, [422]),
                (#"{"title": "\#(String(repeating: "x", count: 300))", "body": "Lubang besar sekali di jalan", "jurisdiction": "63"}"#, [422]),
                (#"{"title": "Jalan", "body": "\#(String(repeating: "panjang ", count: 4000))", "jurisdiction": "63"}"#, [422]),
                (#"{"title": "Jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "99"}"#, [422]),
                (#"{"title": "Jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "63", "type": "gossip"}"#, [422]),
                (#"{"title": "Jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "63", "incident_date": "2999-01-01"}"#, [422]),
                (#"{"title": "Jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "63", "lat": 200, "lng": 5}"#, [422]),
                (#"{"title": "Jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "63", "reporter": {"email": "bukan-email"}}"#, [422]),
                (#"{"title": "Jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "63", "target_unit": "63.71/dinkes"}"#, [422]),
                (#"{"title": "Jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "63", "anonymous": "ya"}"#, [400]),
            ]
            for (body, statuses) in cases {
                let (status, text) = try await post(app, body)
                #expect(statuses.contains(status.code), "\(body.prefix(80)) → \(status) \(text)")
                #expect(json(text)["error"] != nil, "error body for \(body.prefix(40))")
            }
            #expect(try await post(app, "title=x", contentType: "text/plain").0 == .unsupportedMediaType)
            // A multipart body its parser cannot read (found by schemathesis: it was a 500)
            #expect(try await post(app, "--xx\r\nTrue--xx--\r\n", contentType: "multipart/form-data; boundary=xx").0 == .badRequest)
            #expect(try await count(app) == 0)
        }
    }

    @Test("oversize bodies get 413 and wrong file types 415, and nothing is stored")
    func attachments() async throws {
        try await TestHarness.withApp { app in
            // Over a real socket, so the server's streaming body limit is what answers.
            let huge = String(repeating: "a", count: app.settings.maxBodyBytes + 10)
            try await app.testing(method: .running(port: Int.random(in: 20_000...40_000))).test(
                .POST, "/api/v1/complaints", headers: ["content-type": "application/json"],
                body: ByteBuffer(string: #"{"title":"x","body":"\#(huge)","jurisdiction":"63"}"#),
                afterResponse: { res in #expect(res.status == .payloadTooLarge) })
            let exe = Multipart.body(fields: ["title": "Foto jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "63"],
                                     files: [("attachments[]", "foto.jpg", "image/jpeg", Array("MZ\u{90}\u{0}this is not an image".utf8))])
            let (status, text) = try await post(app, exe.body, contentType: exe.contentType)
            #expect(status == .unsupportedMediaType, "\(text)")
            #expect(try await count(app) == 0)
            let dir = app.settings.dataDirectory.appendingPathComponent("attachments").path
            #expect(((try? FileManager.default.subpathsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".") }.isEmpty)
        }
    }

    @Test("an image's location metadata is stripped and the file is served only with the secret")
    func exifStripped() async throws {
        try await TestHarness.withApp { app in
            let png = Multipart.pngWithText("GPSLatitude -3.4421 GPSLongitude 114.8300")
            let form = Multipart.body(fields: ["title": "Foto jalan", "body": "Lubang besar sekali di jalan", "jurisdiction": "63",
                                               "reporter[name]": "Ani", "anonymous": "true"],
                                      files: [("attachments[]", "jalan.png", "image/png", png)])
            let (status, text) = try await post(app, form.body, contentType: form.contentType)
            #expect(status == .created, "\(text)")
            let s = json(text)
            let id = try #require(s["tracking_id"] as? String), secret = try #require(s["secret"] as? String)
            let (_, view) = try await app.get("/api/v1/complaints/\(id)", secret: secret)
            let attachment = try #require((json(view)["attachments"] as? [[String: Any]])?.first)
            let url = try #require(attachment["url"] as? String)
            // Not yet verified, so not public: without the secret the complaint is not even there.
            #expect(try await app.get(url).0 == .notFound)
            let (ok, bytes) = try await app.get(url, secret: secret)
            #expect(ok == .ok)
            #expect(!bytes.contains("GPSLatitude"))
            #expect(attachment["content_type"] as? String == "image/png")
        }
    }
}

/// Builds multipart bodies and small images for the tests.
enum Multipart {
    static func body(fields: [String: String], files: [(String, String, String, [UInt8])]) -> (body: [UInt8], contentType: String) {
        let boundary = "aduan-test-boundary"
        var out: [UInt8] = []
        for (k, v) in fields.sorted(by: { $0.key < $1.key }) {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
        }
        for (name, filename, type, bytes) in files {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
            out += bytes + Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return (out, "multipart/form-data; boundary=\(boundary)")
    }

    /// A 1×1 PNG with a tEXt chunk that a phone or editor might leave behind.
    static func pngWithText(_ text: String) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + data
            return be32(UInt32(data.count)) + typed + be32(crc32(typed))
        }
        let ihdr: [UInt8] = be32(1) + be32(1) + [8, 0, 0, 0, 0]
        let idat: [UInt8] = [0x78, 0x01, 0x01, 0x02, 0x00, 0x7D, 0x7D, 0x00, 0x00, 0x00, 0x00, 0x00]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr)
            + chunk("tEXt", Array("Comment".utf8) + [0] + Array(text.utf8)) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
