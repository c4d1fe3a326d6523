import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

// Issue 18: on PostgreSQL the submission limit and each API key's limit are counted in the database, so several
// instances behind a proxy share them. A second instance is played here by a fresh in-memory limiter (what another
// process would have): on PostgreSQL it changes nothing; tests-cluster/drill.py proves it with three real processes.
@Suite("Limits shared by every instance")
struct SharedLimitTests {
    @Test("the submission limit per address: a fresh process's memory does not reset it on PostgreSQL")
    func submissionLimit() async throws {
        try await TestHarness.withApp(env: ["ADUAN_SUBMIT_RATE_LIMIT": "3"]) { app in
            app.clock.set(Date(timeIntervalSince1970: 1_800_000_000))
            for _ in 0..<3 { _ = try await app.submit() }
            let body = try JSONSerialization.data(withJSONObject: ["title": "Lampu jalan padam", "body": "Lampu jalan padam sejak seminggu di Jl. Pramuka.",
                                                                  "jurisdiction": "63"])
            func status() async throws -> HTTPStatus {
                var out = HTTPStatus.internalServerError
                try await app.testing().test(.POST, "/api/v1/complaints", headers: ["content-type": "application/json"],
                                             body: ByteBuffer(data: body), afterResponse: { out = $0.status })
                return out
            }
            #expect(try await status() == .tooManyRequests)
            if !app.usesSQLite {
                app.submissionLimiter = RateLimiter()
                #expect(try await status() == .tooManyRequests, "another instance's memory let a fourth submission through")
                let stored = try await (app.db as! any SQLDatabase).raw("SELECT hits FROM rate_limits WHERE bucket LIKE 'submit:%'").all()
                    .map { try $0.decode(column: "hits", as: Int.self) }
                #expect(stored == [5], "the shared window counts every try of this minute: \(stored)")
            }
            // The next minute opens a new window.
            app.clock.advance(by: 60)
            _ = try await app.submit()
        }
    }

    @Test("an API key's limit: shared on PostgreSQL, and reset for every instance when the limit changes")
    func apiKeyLimit() async throws {
        try await TestHarness.withApp { app in
            app.clock.set(Date(timeIntervalSince1970: 1_800_000_000))
            let key = try await app.key("Dasbor", [.readPublic], limit: 2)
            for _ in 0..<2 { #expect(try await app.get("/open311/v2/services.json?api_key=\(key.key)").0 == .ok) }
            #expect(try await app.send(.GET, "/api/v1/categories", headers: ["X-API-Key": key.key]).2.first(name: .retryAfter) == "30")
            if !app.usesSQLite {
                app.apiKeyLimiter = APIKeyLimiter()
                let (status, _, headers) = try await app.send(.GET, "/api/v1/categories", headers: ["X-API-Key": key.key])
                #expect(status == .tooManyRequests && headers.first(name: .retryAfter) == "30",
                        "another instance's memory let the key through: \(status)")
            }
            // A new limit starts a new bucket, for every instance.
            let reference = try await app.reference.get(on: app.db)
            _ = try await APIKeys.update(app, id: key.id, APIKeys.define(scopes: [.readPublic], bound: nil, rateLimit: 3, tree: reference.tree), actor: "test")
            for _ in 0..<3 { #expect(try await app.get("/open311/v2/services.json?api_key=\(key.key)").0 == .ok) }
            #expect(try await app.get("/open311/v2/services.json?api_key=\(key.key)").0 == .tooManyRequests)
            // The worker's sweep forgets nothing that still counts; 20 s later one more request fits (3 a minute).
            if !app.usesSQLite {
                try await SharedLimits.prune(now: app.clock.now, on: app.db as! any SQLDatabase)
                #expect(try await app.get("/open311/v2/services.json?api_key=\(key.key)").0 == .tooManyRequests)
            }
            app.clock.advance(by: 20)
            #expect(try await app.get("/open311/v2/services.json?api_key=\(key.key)").0 == .ok)
        }
    }

    @Test("two workers anchoring at the same moment chain one anchor after the other (the drill saw the chain fork)")
    func concurrentAnchors() async throws {
        try await TestHarness.withApp { app in
            for round in 0..<4 {
                _ = try await app.submit(["title": "Lampu jalan padam \(round)"])
                async let first = AuditAnchors.write(app)
                async let second = AuditAnchors.write(app)
                let written = [try await first, try await second].compactMap { $0 }
                #expect(written.count == 1, "round \(round): \(written.count) anchors for one new complaint")
            }
            let problems = try await AuditVerifier.verify(app).problems
            #expect(problems.isEmpty, "\(problems)")
        }
    }
}
