import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

// API keys (issue 8): per-key rate limits, scopes where keys are accepted, and usage counts.

extension Application {
    /// A request with headers; returns status, body and headers.
    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], json body: [String: any Sendable]? = nil) async throws
        -> (HTTPStatus, String, HTTPHeaders) {
        var out: (HTTPStatus, String, HTTPHeaders) = (.internalServerError, "", [:])
        var headers = headers
        var buffer: ByteBuffer?
        if let body {
            headers.contentType = .json
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
        }
        try await testing().test(method, path, headers: headers, body: buffer, afterResponse: { res in
            out = (res.status, res.body.string, res.headers)
        })
        return out
    }

    func key(_ name: String, _ scopes: [APIKeyScope], scope: String? = nil, limit: Int = 60) async throws -> APIKeys.Created {
        let reference = try await self.reference.get(on: db)
        return try await APIKeys.create(self, name: name, APIKeys.define(scopes: scopes, bound: scope, rateLimit: limit, tree: reference.tree), actor: "test")
    }

    func storedKey(_ id: UUID) async throws -> APIKey { try #require(try await APIKey.find(id, on: db)) }
}

@Suite("API keys: limits, scopes, usage")
struct APIKeyTests {
    @Test("the token bucket lets `limit` requests through, then one every 60/limit seconds; 0 means unlimited")
    func limiter() {
        let limiter = APIKeyLimiter()
        let id = UUID(), start = Date(timeIntervalSince1970: 1_800_000_000)
        for _ in 0..<3 { #expect(limiter.take(id, limit: 3, now: start) == nil) }
        #expect(limiter.take(id, limit: 3, now: start) == 20)
        #expect(limiter.take(id, limit: 3, now: start.addingTimeInterval(19)) == 1)
        #expect(limiter.take(id, limit: 3, now: start.addingTimeInterval(20)) == nil)
        #expect(limiter.take(id, limit: 3, now: start.addingTimeInterval(20)) != nil)
        // Another key has its own bucket; an unlimited key is never refused.
        #expect(limiter.take(UUID(), limit: 3, now: start) == nil)
        let free = UUID()
        for _ in 0..<1000 { #expect(limiter.take(free, limit: 0, now: start) == nil) }
    }

    @Test("a key over its limit gets 429 with Retry-After: in the Open311 error format on /open311, the JSON error on /api")
    func rateLimited() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(Date(timeIntervalSince1970: 1_800_000_000))
            let key = try await app.key("Dasbor", [.readPublic], limit: 2)
            for _ in 0..<2 { #expect(try await app.get("/open311/v2/services.json?api_key=\(key.key)").0 == .ok) }
            var (status, body, headers) = try await app.send(.GET, "/open311/v2/services.json?api_key=\(key.key)")
            #expect(status == .tooManyRequests && headers.first(name: .retryAfter) == "30")
            #expect(jsonArray(body).first?["code"] as? Int == 429)
            (status, body, headers) = try await app.send(.GET, "/open311/v2/services.xml?api_key=\(key.key)")
            #expect(status == .tooManyRequests && XMLShape.parse(body)?.texts["code"] == ["429"] && headers.first(name: .retryAfter) == "30")
            (status, body, headers) = try await app.send(.GET, "/api/v1/categories", headers: ["X-API-Key": key.key])
            #expect(status == .tooManyRequests && headers.first(name: .retryAfter) == "30")
            let error = try #require(json(body)["error"] as? [String: Any])
            #expect(error["code"] as? String == "rate_limited")
            // Without the key the same client is anonymous and not limited by it.
            #expect(try await app.get("/api/v1/categories").0 == .ok)

            // Half a minute later one more request fits.
            app.clock.advance(by: 30)
            #expect(try await app.send(.GET, "/api/v1/categories", headers: ["X-API-Key": key.key]).0 == .ok)

            let stored = try await app.storedKey(key.id)
            #expect(stored.useCount == 3 && stored.refusedCount == 3 && stored.lastUsedAt == app.clock.now)
            let days = try await APIKeys.usage(key.id, now: app.clock.now, on: app.db)
            #expect(days.count == 30 && days.last?.day == "2027-01-15")
            #expect(days.last?.uses == 3 && days.last?.refused == 3 && days.dropLast().allSatisfy { $0.uses == 0 && $0.refused == 0 })

            // The next day has its own row; the totals keep adding up.
            app.clock.advance(by: 86_400)
            #expect(try await app.get("/open311/v2/discovery.json?api_key=\(key.key)").0 == .ok)
            let later = try await APIKeys.usage(key.id, now: app.clock.now, on: app.db)
            #expect(later.suffix(2).map(\.uses) == [3, 1])
            #expect(try await APIKeyUsage.query(on: app.db).filter(\.$keyID == key.id).count() == 2)
        }
    }

    @Test("concurrent uses are all counted (one atomic upsert each)")
    func concurrentCounting() async throws {
        try await TestHarness.withApp { app in
            let key = try await app.key("Banyak", [.readPublic], limit: 0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { try await APIKeys.record(key.id, refused: false, app: app) } }
                for _ in 0..<5 { group.addTask { try await APIKeys.record(key.id, refused: true, app: app) } }
                try await group.waitForAll()
            }
            let stored = try await app.storedKey(key.id)
            #expect(stored.useCount == 20 && stored.refusedCount == 5)
            let today = try #require(try await APIKeys.usage(key.id, now: app.clock.now, on: app.db).last)
            #expect(today.uses == 20 && today.refused == 5)
        }
    }

    @Test("read-public: optional on Open311 GETs and public /api reads, but a wrong, revoked or unscoped key is 403")
    func readPublic() async throws {
        // About what a public reader sees of a published complaint, not about when it is published (VisibilityQueryTests): at submission.
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            let reader = try await app.key("Dasbor", [.readPublic])
            let submitter = try await app.key("Aplikasi", [.submit])
            let revoked = try await app.key("Lama", [.readPublic])
            try await APIKeys.revoke(app, id: revoked.id, actor: "test")
            let submission = try await app.submit()

            for path in ["/open311/v2/services.json", "/open311/v2/requests.json", "/open311/v2/services/kesehatan.xml",
                         "/open311/v2/requests/\(submission.tracking_id).json"] {
                let glue = path.contains("?") ? "&" : "?"
                #expect(try await app.get(path).0 == .ok, "\(path)")
                #expect(try await app.get(path + glue + "api_key=\(reader.key)").0 == .ok, "\(path)")
                for bad in ["aduan_salah", revoked.key, submitter.key] {
                    let (status, body) = try await app.get(path + glue + "api_key=\(bad)")
                    #expect(status == .forbidden, "\(path)")
                    #expect(path.hasSuffix(".xml") ? XMLShape.parse(body)?.texts["code"] == ["403"] : jsonArray(body).first?["code"] as? Int == 403)
                }
            }
            for path in ["/api/v1/categories", "/api/v1/units?jurisdiction=63", "/api/v1/complaints/\(submission.tracking_id)",
                         "/api/v1/complaints/\(submission.tracking_id)/events"] {
                #expect(try await app.send(.GET, path, headers: ["X-API-Key": reader.key]).0 == .ok, "\(path)")
                #expect(try await app.get(path + (path.contains("?") ? "&" : "?") + "api_key=\(reader.key)").0 == .ok, "\(path)")
                for bad in ["aduan_salah", revoked.key, submitter.key] {
                    let (status, body, _) = try await app.send(.GET, path, headers: ["X-API-Key": bad])
                    #expect(status == .forbidden && (json(body)["error"] as? [String: Any])?["code"] as? String == "forbidden", "\(path)")
                }
            }
            // The public view only: no reporter, even though a key was sent.
            let (_, view, _) = try await app.send(.GET, "/api/v1/complaints/\(submission.tracking_id)", headers: ["X-API-Key": reader.key])
            #expect(json(view)["reporter"] == nil && !view.contains("Siti"))

            // A route that takes no key refuses one instead of ignoring it; a key and an officer token together are 400.
            #expect(try await app.send(.GET, "/api/v1/me", headers: ["X-API-Key": reader.key]).0 == .forbidden)
            let token = try await app.createOfficer("koord", .coordinator, "63")
            #expect(try await app.send(.GET, "/api/v1/complaints", headers: ["X-API-Key": reader.key, "Authorization": "Bearer \(token)"]).0 == .badRequest)
            // Only the key with read-public may submit nothing; the submit key may POST a complaint.
            let body: [String: any Sendable] = ["title": "Sampah menumpuk", "body": "Sampah menumpuk di pasar sejak seminggu.", "jurisdiction": "63"]
            #expect(try await app.send(.POST, "/api/v1/complaints", headers: ["X-API-Key": reader.key], json: body).0 == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/complaints", headers: ["X-API-Key": submitter.key], json: body).0 == .created)

            #expect(try await app.storedKey(revoked.id).refusedCount == 8)
            let submitterRow = try await app.storedKey(submitter.id)
            #expect(submitterRow.refusedCount == 8 && submitterRow.useCount == 1)
        }
    }

    @Test("read-scope: the officer listing and view of the bound unit or jurisdiction, never confidential, never the NIK")
    func readScope() async throws {
        try await TestHarness.withApp { app in
            let koord = try await app.createOfficer("koord", .coordinator, "63")
            let plain = try await app.submit(["reporter": ["name": "Siti", "email": "siti@example.org", "nik": "6371010101010001"]])
            let anonymous = try await app.submit(["anonymous": true, "reporter": ["name": "Rahasia Orang", "email": "anon@example.org"]])
            let secret = try await app.submit(["confidential": true])
            let elsewhere = try await app.submit()
            for s in [plain, anonymous, secret] { #expect(try await app.act(koord, s.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .ok) }
            #expect(try await app.act(koord, elsewhere.tracking_id, "verify", ["unit": "63/dinsos"]).0 == .ok)

            let unitKey = try await app.key("Sistem Dinkes", [.readScope], scope: "63/dinkes")
            let provinceKey = try await app.key("Dasbor Provinsi", [.readScope], scope: "63")
            let headers: HTTPHeaders = ["X-API-Key": unitKey.key]
            var (status, body, _) = try await app.send(.GET, "/api/v1/complaints", headers: headers)
            #expect(status == .ok)
            let ids = Set(((json(body)["items"] as? [[String: Any]]) ?? []).compactMap { $0["tracking_id"] as? String })
            #expect(ids == [plain.tracking_id, anonymous.tracking_id])
            (_, body, _) = try await app.send(.GET, "/api/v1/complaints?api_key=\(provinceKey.key)")
            #expect(json(body)["total"] as? Int == 3)

            (status, body, _) = try await app.send(.GET, "/api/v1/complaints/\(plain.tracking_id)", headers: headers)
            let reporter = try #require(json(body)["reporter"] as? [String: Any])
            #expect(status == .ok && reporter["name"] as? String == "Siti" && reporter["nik"] == nil && !body.contains("6371010101010001"))
            #expect(json(body)["available_actions"] == nil)
            (status, body, _) = try await app.send(.GET, "/api/v1/complaints/\(anonymous.tracking_id)", headers: headers)
            #expect(status == .ok && json(body)["reporter"] == nil && !body.contains("Rahasia Orang") && !body.contains("anon@example.org"))
            (status, body, _) = try await app.send(.GET, "/api/v1/complaints/\(anonymous.tracking_id)/events", headers: headers)
            #expect(status == .ok && !body.contains("internal_text\":\""))
            #expect(try await app.send(.GET, "/api/v1/complaints/\(secret.tracking_id)", headers: headers).0 == .notFound)
            #expect(try await app.send(.GET, "/api/v1/complaints/\(elsewhere.tracking_id)", headers: headers).0 == .forbidden)

            // A read-public key reads no listing.
            let reader = try await app.key("Dasbor", [.readPublic])
            #expect(try await app.send(.GET, "/api/v1/complaints", headers: ["X-API-Key": reader.key]).0 == .forbidden)
        }
    }

    @Test("act: a unit-bound key posts follow_up and respond_final through the lifecycle as apikey:<id>; nothing else")
    func act() async throws {
        try await TestHarness.withApp { app in
            let koord = try await app.createOfficer("koord", .coordinator, "63")
            let mine = try await app.submit()
            let other = try await app.submit()
            let fresh = try await app.submit()
            #expect(try await app.act(koord, mine.tracking_id, "verify", ["unit": "63/dinkes"]).0 == .ok)
            #expect(try await app.act(koord, other.tracking_id, "verify", ["unit": "63/dinsos"]).0 == .ok)
            let key = try await app.key("Sistem Dinkes", [.act], scope: "63/dinkes")
            let headers: HTTPHeaders = ["X-API-Key": key.key]

            var (status, body, _) = try await app.send(.POST, "/api/v1/complaints/\(mine.tracking_id)/actions/follow_up", headers: headers,
                                                       json: ["text": "Tim sudah meninjau lokasi."])
            #expect(status == .ok, "\(body)")
            #expect(json(body)["state"] as? String == "diproses")
            #expect((json(body)["available_actions"] as? [String]).map(Set.init) == ["follow_up", "respond_final"])
            let complaint = try await app.complaint(mine.tracking_id)
            let last = try #require(try await Event.query(on: app.db).filter(\.$complaintID == complaint.id!).sort(\.$seq, .descending).first())
            #expect(last.action == "follow_up" && last.actorID == "apikey:\(key.id.uuidString.lowercased())" && last.actorRole == "liaison")

            // Other actions, other units, not-yet-disposed complaints: refused, and nothing changes.
            (status, _, _) = try await app.send(.POST, "/api/v1/complaints/\(mine.tracking_id)/actions/return", headers: headers, json: ["text": "x"])
            #expect(status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/complaints/\(other.tracking_id)/actions/follow_up", headers: headers, json: ["text": "x"]).0 == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/complaints/\(fresh.tracking_id)/actions/verify", headers: headers, json: ["unit": "63/dinkes"]).0 == .forbidden)
            #expect(try await app.complaint(other.tracking_id).state == "didisposisikan")

            (status, body, _) = try await app.send(.POST, "/api/v1/complaints/\(mine.tracking_id)/actions/respond_final", headers: headers,
                                                   json: ["text": "Jalan sudah diperbaiki."])
            #expect(status == .ok && json(body)["state"] as? String == "ditanggapi", "\(body)")
            // A read-scope key cannot act.
            let reader = try await app.key("Baca", [.readScope], scope: "63/dinkes")
            #expect(try await app.send(.POST, "/api/v1/complaints/\(mine.tracking_id)/actions/follow_up", headers: ["X-API-Key": reader.key], json: ["text": "x"]).0 == .forbidden)
            let stored = try await app.storedKey(key.id)
            #expect(stored.useCount == 2 && stored.refusedCount == 3)
        }
    }

    @Test("key definitions are checked against the organisation tree; bad ones change nothing")
    func definitions() async throws {
        try await TestHarness.withApp { app in
            let tree = try await app.reference.get(on: app.db).tree
            #expect(throws: AppError.self) { try APIKeys.define(scopes: [.readScope], bound: nil, rateLimit: 60, tree: tree) }
            #expect(throws: AppError.self) { try APIKeys.define(scopes: [.act], bound: "63", rateLimit: 60, tree: tree) }
            #expect(throws: AppError.self) { try APIKeys.define(scopes: [.readScope], bound: "63/tidak-ada", rateLimit: 60, tree: tree) }
            #expect(throws: AppError.self) { try APIKeys.define(scopes: [.readScope], bound: "99", rateLimit: 60, tree: tree) }
            #expect(throws: AppError.self) { try APIKeys.define(scopes: [.submit], bound: "63", rateLimit: 60, tree: tree) }
            #expect(throws: AppError.self) { try APIKeys.define(scopes: [.submit], bound: nil, rateLimit: -1, tree: tree) }
            #expect(throws: AppError.self) { try APIKeys.parseRateLimit("banyak") }
            #expect(throws: AppError.self) { try APIKeys.parseScopes("submit,write") }
            let d = try APIKeys.define(scopes: [.act, .readScope, .act], bound: " 63/dinkes ", rateLimit: 0, tree: tree)
            #expect(d == APIKeys.Definition(scopes: [.readScope, .act], bound: .unit("63/dinkes"), rateLimit: 0))
            #expect(try APIKeys.parseRateLimit(nil) == 60)
            #expect(try await APIKey.query(on: app.db).count() == 0)
        }
    }
}
