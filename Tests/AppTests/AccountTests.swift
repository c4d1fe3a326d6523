import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// A browser: keeps cookies across requests and knows the current form token.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var token = ""

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String) async throws -> (HTTPStatus, String) {
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(.GET, path, beforeRequest: { req in self.attach(req: &req) }, afterResponse: { res in
            self.keep(res)
            out = (res.status, res.body.string)
            if let r = out.1.range(of: #"name="_csrf" value=""#) { self.token = String(out.1[r.upperBound...].prefix { $0 != "\"" }) }
        })
        return out
    }

    @discardableResult
    func post(_ path: String, _ form: [String: String]) async throws -> (HTTPStatus, String, String?) {
        var out: (HTTPStatus, String, String?) = (.internalServerError, "", nil)
        var fields = form
        fields["_csrf"] = token
        try await app.testing().test(.POST, path, beforeRequest: { req in
            self.attach(req: &req)
            try req.content.encode(fields, as: .urlEncodedForm)
        }, afterResponse: { res in
            self.keep(res)
            out = (res.status, res.body.string, res.headers.first(name: .location))
        })
        return out
    }

    private func attach(req: inout TestingHTTPRequest) {
        var jar = HTTPCookies()
        for (k, v) in cookies { jar[k] = .init(string: v) }
        req.headers.cookie = jar
    }

    private func keep(_ res: TestingHTTPResponse) {
        for (name, value) in res.headers.setCookie?.all ?? [:] {
            if value.string.isEmpty { cookies.removeValue(forKey: name) } else { cookies[name] = value.string }
        }
    }
}

@Suite("Reporter accounts")
struct AccountTests {
    @Test("sign up, send a complaint while signed in, and find it under my complaints; sign out ends the session")
    func signUpAndMine() async throws {
        try await TestHarness.withApp { app in
            let browser = Browser(app)
            try await browser.get("/akun/daftar")
            var (status, body, location) = try await browser.post("/akun/daftar", ["name": "Rina", "email": "Rina@Example.org",
                                                                                "password": "kata-sandi-panjang", "password_confirm": "kata-sandi-panjang"])
            #expect(status == .ok && body.contains("Periksa e-mail Anda"), "\(body.prefix(200))")
            // The account opens once the address is confirmed by the link sent to it (issue 17).
            let link = try await AccountVerificationTests.link(app, kind: AccountMail.verifyKind)
            #expect(try await browser.get(link).0 == .seeOther)
            try await browser.get("/akun/masuk")
            (status, body, location) = try await browser.post("/akun/masuk", ["email": "rina@example.org", "password": "kata-sandi-panjang"])
            #expect(status == .seeOther && location == "/akun", "\(body.prefix(200))")
            try await browser.get("/lapor")
            (status, body, _) = try await browser.post("/lapor", ["title": "Sampah menumpuk", "body": "Sampah di pasar tidak diangkut seminggu.",
                                                                  "jurisdiction": "63"])
            #expect(status == .seeOther, "\(body.prefix(300))")
            let (_, mine) = try await browser.get("/akun")
            #expect(mine.contains("Sampah menumpuk") && mine.contains("Rina"))
            // The account sees the private view without the secret
            let complaint = try #require(try await Complaint.query(on: app.db).first())
            #expect(complaint.reporterAccountID != nil)
            let (_, page) = try await browser.get("/t/\(complaint.trackingID)")
            #expect(page.contains("Khusus pelapor"))
            // E-mail is stored only hashed and sealed
            let account = try #require(try await ReporterAccount.query(on: app.db).first())
            #expect(!account.sealedIdentity.contains("rina") && account.emailHash.count == 64)
            try await browser.post("/akun/keluar", [:])
            let (after, _) = try await browser.get("/akun")
            #expect(after == .seeOther)
        }
    }

    @Test("wrong passwords are refused, then the account locks; sign-up errors sit next to their fields")
    func refusals() async throws {
        try await TestHarness.withApp { app in
            let browser = Browser(app)
            try await browser.get("/akun/daftar")
            let (status, body, _) = try await browser.post("/akun/daftar", ["name": "", "email": "x", "password": "pendek", "password_confirm": "lain"])
            #expect(status == .unprocessableEntity)
            for id in ["name-error", "email-error", "password-error", "password_confirm-error"] { #expect(body.contains(id)) }
            try await browser.post("/akun/daftar", ["name": "Rina", "email": "rina@example.org", "password": "kata-sandi-panjang", "password_confirm": "kata-sandi-panjang"])
            try await browser.post("/akun/keluar", [:])
            try await browser.get("/akun/masuk")
            for _ in 0..<5 { #expect(try await browser.post("/akun/masuk", ["email": "rina@example.org", "password": "salah-salah-salah"]).0 == .unauthorized) }
            #expect(try await browser.post("/akun/masuk", ["email": "rina@example.org", "password": "kata-sandi-panjang"]).0 == .tooManyRequests)
        }
    }
}
