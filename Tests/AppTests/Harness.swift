import AduanCore
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// Every test gets its own database: a fresh SQLite file, or — when TEST_DATABASE_URL is set (CI) — a fresh
/// PostgreSQL database created for the test and dropped after it.
enum TestHarness {
    static let secret = "test-secret-key-0123456789abcdef-0123456789"

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Loopback addresses an app may call out to when a test plays the receiver on this machine (webhooks, the SMS
    /// gateway, SMTP, SP4N-LAPOR!): outbound requests reach only public addresses unless the operator allows more.
    static let loopbackReceivers = "127.0.0.0/8,::1"

    /// Publishes reports at submission (`ADUAN_PUBLISH=submitted`), for tests of what the public side shows of a
    /// complaint rather than of when it shows it (the default waits for the coordinator's verification).
    static let publishAtSubmission = ["ADUAN_PUBLISH": "submitted"]

    /// `env` adds configuration (e.g. `ADUAN_OUTBOUND_ALLOW`); `loopbackReceivers` allows the loopback receivers.
    static func withApp(loopbackReceivers: Bool = false, env: [String: String] = [:], _ body: (Application) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aduan-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var environment = ["ADUAN_DATA_DIR": dir.path, "ADUAN_SECRET_KEY": secret, "ADUAN_SUBMIT_RATE_LIMIT": "0"]
        if loopbackReceivers { environment["ADUAN_OUTBOUND_ALLOW"] = Self.loopbackReceivers }
        environment.merge(env) { $1 }
        var settings = try Settings.fromEnvironment(environment)
        var droppable: (admin: String, name: String)?
        if let admin = postgresURL {
            let name = "aduan_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
            try await postgresAdmin(admin, "CREATE DATABASE \(name)")
            settings.databaseURL = replaceDatabase(in: admin, with: name)
            droppable = (admin, name)
        }
        let app = try await Application.make(.testing)
        do {
            try configure(app, settings: settings)
            app.passwords.use(.bcrypt(cost: 4))
            app.logger.logLevel = .warning
            try await Bootstrap.migrate(app)
            _ = try await ReferenceSeeder.seed(on: app.writeDB)
            app.reference.invalidate()
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            if let d = droppable { try? await postgresAdmin(d.admin, "DROP DATABASE IF EXISTS \(d.name)") }
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
        try await app.asyncShutdown()
        if let d = droppable { try await postgresAdmin(d.admin, "DROP DATABASE IF EXISTS \(d.name) WITH (FORCE)") }
        try? FileManager.default.removeItem(at: dir)
    }

    /// Refuses anything but a database on this machine: tests create and drop databases.
    static func postgresAdmin(_ url: String, _ statement: String) async throws {
        guard let host = URL(string: url)?.host, ["localhost", "127.0.0.1", "::1"].contains(host) else {
            fatalError("TEST_DATABASE_URL must point at a local PostgreSQL (localhost/127.0.0.1), got \(url)")
        }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        var config = try SQLPostgresConfiguration(url: url)
        config.coreConfiguration.tls = .disable
        app.databases.use(.postgres(configuration: config), as: .psql)
        do {
            try await (app.db as! any SQLDatabase).raw(SQLQueryString(statement)).run()
        } catch {
            try? await app.asyncShutdown(); throw error
        }
        try await app.asyncShutdown()
    }

    static func replaceDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}

/// Small conveniences that keep the tests reading as stories.
extension Application {
    func createOfficer(_ username: String, _ role: Role, _ scope: String) async throws -> String {
        try await UserAdmin.create(self, username: username, password: "password-\(username)", displayName: username,
                                   email: nil, assignments: [RoleAssignment(role: role, scope: Scope(scope)!)])
        return try await login(username)
    }

    func login(_ username: String) async throws -> String {
        var token = ""
        try await testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
            try req.content.encode(["username": username, "password": "password-\(username)"])
        }, afterResponse: { res in
            #expect(res.status == .ok)
            token = try res.content.decode(TokenResponse.self).token
        })
        return token
    }

    /// Submits a complaint through the public API and returns the submission response.
    func submit(_ fields: [String: any Sendable] = [:]) async throws -> SubmissionResponse {
        var body: [String: any Sendable] = ["title": "Jalan berlubang di Jl. A. Yani", "body": "Lubang besar di ruas jalan dekat jembatan, berbahaya bagi pengendara.",
                                            "jurisdiction": "63", "reporter": ["name": "Siti", "email": "siti@example.org"]]
        for (k, v) in fields { body[k] = v }
        let data = try JSONSerialization.data(withJSONObject: body)
        var result: SubmissionResponse?
        try await testing().test(.POST, "/api/v1/complaints", headers: ["content-type": "application/json"], body: ByteBuffer(data: data), afterResponse: { res in
            #expect(res.status == .created, "\(res.body.string)")
            result = try res.content.decode(SubmissionResponse.self)
        })
        return try #require(result)
    }

    /// Posts an officer action and returns status and body.
    @discardableResult
    func act(_ token: String, _ trackingID: String, _ action: String, _ body: [String: any Sendable] = [:]) async throws -> (HTTPStatus, String) {
        let data = try JSONSerialization.data(withJSONObject: body)
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await testing().test(.POST, "/api/v1/complaints/\(trackingID)/actions/\(action)",
                                 headers: ["content-type": "application/json", "authorization": "Bearer \(token)"],
                                 body: ByteBuffer(data: data), afterResponse: { res in out = (res.status, res.body.string) })
        return out
    }

    func get(_ path: String, token: String? = nil, secret: String? = nil) async throws -> (HTTPStatus, String) {
        var headers: HTTPHeaders = [:]
        if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
        if let secret { headers.add(name: "X-Reporter-Secret", value: secret) }
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await testing().test(.GET, path, headers: headers, afterResponse: { res in out = (res.status, res.body.string) })
        return out
    }

    func reporter(_ secret: String, _ trackingID: String, _ action: String, _ body: [String: any Sendable]) async throws -> (HTTPStatus, String) {
        let data = try JSONSerialization.data(withJSONObject: body)
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await testing().test(.POST, "/api/v1/complaints/\(trackingID)/\(action)",
                                 headers: ["content-type": "application/json", "X-Reporter-Secret": secret],
                                 body: ByteBuffer(data: data), afterResponse: { res in out = (res.status, res.body.string) })
        return out
    }

    func complaint(_ trackingID: String) async throws -> Complaint {
        try #require(try await Complaint.byTrackingID(trackingID, on: db))
    }
}

func json(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}

@Suite("Test environment")
struct EnvironmentTests {
    /// CI sets ADUAN_REQUIRE_POSTGRES for its PostgreSQL run: if the URL got lost, fail instead of silently using SQLite.
    @Test("the PostgreSQL run really runs on PostgreSQL")
    func postgresWhenRequired() async throws {
        if ProcessInfo.processInfo.environment["ADUAN_REQUIRE_POSTGRES"] == "1" {
            #expect(TestHarness.postgresURL != nil, "ADUAN_REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
            try await TestHarness.withApp { app in #expect(app.usesSQLite == false) }
        }
    }
}
