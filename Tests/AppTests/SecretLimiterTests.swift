import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

// Issue 17, findings 2, 4 and 10: every guessable secret goes through one limiter whose counters live in the database
// and are reserved before the comparison. Each test sends 40 requests at once to the real server (a socket, 64
// connections) and counts what was checked: the bcrypt comparisons (a counting password hasher), the audit rows of
// wrong passwords, and the answers (a wrong secret is 401/403/404, a refused try 429). Run on SQLite, and on
// PostgreSQL when TEST_DATABASE_URL is set.

private let json: HTTPHeaders = ["content-type": "application/json"]
private let formHeaders: HTTPHeaders = ["content-type": "application/x-www-form-urlencoded"]

private func tally(_ replies: [Reply]) -> [UInt: Int] {
    Dictionary(grouping: replies, by: \.status.code).mapValues(\.count)
}

/// Requests from another client address (the server believes X-Forwarded-For from 127.0.0.1 in these tests).
private func from(_ address: String, _ headers: HTTPHeaders = [:]) -> HTTPHeaders {
    var h = headers
    h.replaceOrAdd(name: "X-Forwarded-For", value: address)
    return h
}

private func token(_ server: LiveServer, _ username: String, _ password: String, totp: String? = nil, address: String = "203.0.113.1") async throws -> Reply {
    var body = #"{"username":"\#(username)","password":"\#(password)""#
    if let totp { body += #","totp":"\#(totp)""# }
    return try await server.send(.POST, "/api/v1/auth/token", headers: from(address, json), body: body + "}")
}

/// A six-digit guess that is not `pin`.
private func guess(_ i: Int, not pin: String) -> String {
    let text = String(format: "%06d", (i * 7_919 + 13) % 1_000_000)
    return text == pin ? String(format: "%06d", (i * 7_919 + 500_013) % 1_000_000) : text
}

private func loginFailures(_ app: Application) async throws -> Int {
    try await AuditEntry.query(on: app.db).filter(\.$action == "login_failed").count()
}

@Suite("Issue 17: one limiter in front of every secret, exact under parallel requests", .serialized)
struct SecretLimiterTests {
    @Test("password by API token: 40 at once check exactly 5 passwords; 39 wrong and the right one check at most 5 wrong ones; the officer elsewhere still gets in")
    func apiToken() async throws {
        try await TestHarness.withApp { app in
            app.settings.trustedProxies = ["127.0.0.1"]
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let hasher = CountingHasher.install(app)
            app.settings.limits.perAddress = 0   // the cap on requests in progress per address is tested apart; every guess reaches the limiter here
            try await LiveServer.with(app) { server in
                let wrong = try await server.parallel(40) { i in try await token(server, "admin", "salah-\(i)") }
                #expect(tally(wrong) == [401: 5, 429: 35], "\(tally(wrong))")
                #expect(hasher.verifications == 5)
                #expect(try await loginFailures(app) == 5)
                #expect(wrong.filter { $0.status == .tooManyRequests }.allSatisfy { Int($0.headers.first(name: .retryAfter) ?? "") ?? 0 > 0 })

                // The issue's case from a second address: 39 wrong and the right one at once.
                hasher.reset()
                let mixed = try await server.parallel(40) { i in
                    try await token(server, "admin", i == 17 ? "password-admin" : "salah-\(i)", address: "198.51.100.2")
                }
                let counts = tally(mixed)
                let wrongChecked = counts[401] ?? 0, accepted = counts[200] ?? 0, refused = counts[429] ?? 0
                #expect(wrongChecked <= 5 && accepted <= 1 && wrongChecked + accepted + refused == 40, "\(counts)")
                let failures = try await loginFailures(app)
                #expect(failures <= 10 && hasher.verifications <= 6, "\(failures) audited, \(hasher.verifications) checked")

                // Five wrong passwords from one address do not lock the officer out at another.
                #expect(try await token(server, "admin", "password-admin", address: "192.0.2.50").status == .ok)
                #expect(try await token(server, "admin", "password-admin", address: "203.0.113.1").status == .tooManyRequests)
            }
        }
    }

    @Test("password by form: 40 sign-ins at once check exactly 5; an unknown username is limited, checked and answered the same way")
    func form() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let hasher = CountingHasher.install(app)
            app.settings.limits.perAddress = 0   // the cap on requests in progress per address is tested apart; every guess reaches the limiter here
            try await LiveServer.with(app) { server in
                let page = try await server.send(.GET, "/petugas/masuk")
                let csrf = try #require(csrfToken(in: page.body)), cookie = try #require(page.headers.setCookie?[CSRF.cookie]?.string)
                var headers = formHeaders
                headers.add(name: .cookie, value: "\(CSRF.cookie)=\(cookie)")
                for username in ["koord", "tidak-ada"] {
                    hasher.reset()
                    let replies = try await server.parallel(40) { [headers] i in
                        try await server.send(.POST, "/petugas/masuk", headers: headers, body: "_csrf=\(encoded(csrf))&username=\(username)&password=salah-\(i)")
                    }
                    #expect(tally(replies) == [401: 5, 429: 35], "\(username): \(tally(replies))")
                    #expect(hasher.verifications == 5, "\(username)")
                    #expect(replies.filter { $0.status == .tooManyRequests }.allSatisfy { $0.body.contains("Terlalu banyak percobaan") })
                }
            }
        }
    }

    @Test("the PIN by header, form and cookie: 40 guesses at once check exactly 5 (header, form) or none at all (cookie); unknown and confidential answer alike")
    func pin() async throws {
        // What the public side answers to guesses at a public complaint: published at submission, so `open` is public.
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            app.settings.trustedProxies = ["127.0.0.1"]
            let open = try await app.submit()
            let hidden = try await app.submit(["confidential": true])
            let unknown = TrackingID.random().rawValue
            app.settings.limits.perAddress = 0   // the cap on requests in progress per address is tested apart; every guess reaches the limiter here
            try await LiveServer.with(app) { server in
                // By header (API): a public complaint says 403, a confidential one and an unknown number 404.
                let byHeader: [(SubmissionResponse?, UInt, String)] = [(open, 403, "203.0.113.10"), (hidden, 404, "203.0.113.11"), (nil, 404, "203.0.113.12")]
                for (complaint, status, address) in byHeader {
                    let id = complaint?.tracking_id ?? unknown, pin = complaint?.pin ?? ""
                    let replies = try await server.parallel(40) { i in
                        try await server.send(.GET, "/api/v1/complaints/\(id)", headers: from(address, ["X-Reporter-Secret": guess(i, not: pin)]))
                    }
                    #expect(tally(replies) == [status: 5, 429: 35], "\(id): \(tally(replies))")
                }
                // The reporter, at another address, is not locked out by one address's guesses.
                #expect(try await server.send(.GET, "/api/v1/complaints/\(hidden.tracking_id)", headers: from("192.0.2.7", ["X-Reporter-Secret": hidden.pin])).status == .ok)

                // By form (the tracking page).
                let page = try await server.send(.GET, "/t/\(open.tracking_id)")
                let csrf = try #require(csrfToken(in: page.body)), cookie = try #require(page.headers.setCookie?[CSRF.cookie]?.string)
                let byForm: [(SubmissionResponse?, UInt, String)] = [(open, 403, "203.0.113.20"), (hidden, 404, "203.0.113.21"), (nil, 404, "203.0.113.22")]
                for (complaint, status, address) in byForm {
                    let id = complaint?.tracking_id ?? unknown, pin = complaint?.pin ?? ""
                    var headers = from(address, formHeaders)
                    headers.add(name: .cookie, value: "\(CSRF.cookie)=\(cookie)")
                    let replies = try await server.parallel(40) { [headers] i in
                        try await server.send(.POST, "/t/\(id)/pin", headers: headers, body: "_csrf=\(encoded(csrf))&pin=\(guess(i + 100, not: pin))")
                    }
                    #expect(tally(replies) == [status: 5, 429: 35], "\(id): \(tally(replies))")
                }

                // By cookie (finding 2): the cookie is never read as a PIN, so a guess there, even the right one, opens nothing
                // and is not even a try.
                let before = try await SecretLimiter.counter(SecretSubject.stored(.reporterPIN, SecretSubject.complaint(open.tracking_id)), on: app.db)
                for complaint in [open, hidden] {
                    let replies = try await server.parallel(40) { i in
                        try await server.send(.GET, "/t/\(complaint.tracking_id)",
                                              headers: from("203.0.113.30", ["cookie": "\(TrackingController.cookie)=\(i == 7 ? complaint.pin : guess(i, not: complaint.pin))"]))
                    }
                    let expected: UInt = complaint.tracking_id == open.tracking_id ? 200 : 404
                    #expect(replies.allSatisfy { $0.status.code == expected && !$0.body.contains("Khusus pelapor") }, "\(tally(replies))")
                }
                #expect(try await SecretLimiter.counter(SecretSubject.stored(.reporterPIN, SecretSubject.complaint(open.tracking_id)), on: app.db) == before)
                #expect(try await SecretLimiter.counter("pin:complaint:\(hidden.tracking_id)|203.0.113.30", on: app.db) == nil)

                // Two addresses spent the confidential complaint's ten PIN tries of the day: the PIN waits until tomorrow
                // (from anywhere), the link does not.
                var headers = from("192.0.2.8", formHeaders)
                headers.add(name: .cookie, value: "\(CSRF.cookie)=\(cookie)")
                let spent = try await server.send(.POST, "/t/\(hidden.tracking_id)/pin", headers: headers, body: "_csrf=\(encoded(csrf))&pin=\(hidden.pin)")
                #expect(spent.status == .tooManyRequests)
                #expect(try await server.send(.GET, "/t/\(hidden.tracking_id)?s=\(hidden.secret)", headers: from("192.0.2.8")).status == .seeOther)

                // The right PIN by form gives the view cookie, which is not the PIN and opens the private view.
                let fresh = try await app.submit(["confidential": true])
                let unlocked = try await server.send(.POST, "/t/\(fresh.tracking_id)/pin", headers: headers, body: "_csrf=\(encoded(csrf))&pin=\(fresh.pin)")
                let view = try #require(unlocked.headers.setCookie?[TrackingController.cookie]?.string)
                #expect(unlocked.status == .seeOther && view != fresh.pin && view != fresh.secret && view.count == 64)
                let privatePage = try await server.send(.GET, "/t/\(fresh.tracking_id)", headers: ["cookie": "\(TrackingController.cookie)=\(view)"])
                #expect(privatePage.status == .ok && privatePage.body.contains("Khusus pelapor"))
            }
        }
    }

    @Test("TOTP and recovery codes: one code sent 40 times at once is accepted exactly once; 40 wrong codes check exactly 5")
    func secondFactor() async throws {
        try await TestHarness.withApp { app in
            app.settings.trustedProxies = ["127.0.0.1"]
            app.clock.set(Date())   // one TOTP step for the whole test
            _ = try await app.createOfficer("insp", .inspector, "63")
            let secret = TwoFactor.newSecret()
            let recovery = TwoFactor.newRecoveryCodes()
            try await User.query(on: app.db).filter(\.$username == "insp").set(\.$totpSealed, to: try app.secrets.sealTOTP(secret))
                .set(\.$recoveryCodes, to: recovery.stored).update()
            let hasher = CountingHasher.install(app)
            app.settings.limits.perAddress = 0   // the cap on requests in progress per address is tested apart; every guess reaches the limiter here
            try await LiveServer.with(app) { server in
                let code = TOTP.code(secret: TOTP.base32Decode(secret)!, at: app.clock.now)
                let replayed = try await server.parallel(40) { i in
                    try await token(server, "insp", "password-insp", totp: code, address: "203.0.113.\(40 + i % 8)")
                }
                #expect(replayed.filter { $0.status == .ok }.count == 1, "\(tally(replayed))")
                #expect(try await token(server, "insp", "password-insp", totp: code, address: "192.0.2.1").status == .unauthorized)
                app.clock.advance(by: 3601)   // the account's own hour of counted tries starts again

                let used = try await server.parallel(40) { i in
                    try await token(server, "insp", "password-insp", totp: recovery.codes[0], address: "198.51.100.\(40 + i % 8)")
                }
                #expect(used.filter { $0.status == .ok }.count == 1, "\(tally(used))")
                let stored = try #require(try await User.query(on: app.db).filter(\.$username == "insp").first())
                #expect(TwoFactor.remainingRecoveryCodes(stored) == 9)
                // A different unused code still works afterwards.
                #expect(try await token(server, "insp", "password-insp", totp: recovery.codes[1], address: "192.0.2.2").status == .ok)
                app.clock.advance(by: 3601)

                hasher.reset()
                let guesses = try await server.parallel(40) { i in
                    try await token(server, "insp", "password-insp", totp: String(format: "%06d", (i * 7919) % 1_000_000), address: "203.0.113.99")
                }
                #expect(tally(guesses) == [401: 5, 429: 35], "\(tally(guesses))")
                #expect(hasher.verifications == 5)
            }
        }
    }

    @Test("many addresses together fill the account's own bucket; it ends on time, and `aduan user password` or the sysadmin's unlock clears it")
    func accountWideAndRecovery() async throws {
        try await TestHarness.withApp { app in
            app.settings.trustedProxies = ["127.0.0.1"]
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            _ = try await app.createOfficer("admin2", .sysadmin, "63")
            app.settings.limits.perAddress = 0   // the cap on requests in progress per address is tested apart; every guess reaches the limiter here
            try await LiveServer.with(app) { server in
                for address in 0..<10 {
                    let replies = try await server.parallel(5) { i in try await token(server, "admin", "salah-\(i)", address: "10.0.\(address).1") }
                    #expect(tally(replies) == [401: 5])
                }
                // 50 wrong from 10 addresses: the account refuses everyone for the rest of its hour…
                #expect(try await token(server, "admin", "password-admin", address: "192.0.2.9").status == .tooManyRequests)
                // … `aduan user password` on the server is the way back in for `admin` …
                var context = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                    "aduan", "password", "--username", "admin", "--password", "kata-sandi-baru-admin",
                ]))
                context.application = app
                try await UserGroup().run(using: &context)
                #expect(try await token(server, "admin", "kata-sandi-baru-admin", address: "192.0.2.9").status == .ok)

                // … and for anyone else the other sysadmin's unlock button.
                for address in 0..<10 {
                    _ = try await server.parallel(5) { i in try await token(server, "admin2", "salah-\(i)", address: "10.1.\(address).1") }
                }
                #expect(try await token(server, "admin2", "password-admin2", address: "192.0.2.9").status == .tooManyRequests)
                let browser = WebClient(app)
                try await browser.get("/petugas/masuk")
                browser.forwardedFor = "192.0.2.10"
                #expect(try await browser.post("/petugas/masuk", ["username": "admin", "password": "kata-sandi-baru-admin"]).status == .seeOther)
                let page = try await browser.get("/petugas/admin/pengguna/admin2")
                #expect(page.body.contains("/buka-kunci") && page.body.contains(">50<"))
                #expect(try await browser.post("/petugas/admin/pengguna/admin2/buka-kunci", [:]).status == .seeOther)
                #expect(try await token(server, "admin2", "password-admin2", address: "192.0.2.9").status == .ok)

                // The hour ends on time, whoever keeps trying.
                for address in 0..<11 {
                    _ = try await server.parallel(5) { i in try await token(server, "admin2", "salah-\(i)", address: "10.2.\(address).1") }
                }
                #expect(try await token(server, "admin2", "password-admin2", address: "192.0.2.11").status == .tooManyRequests)
                app.clock.advance(by: 3601)
                #expect(try await token(server, "admin2", "password-admin2", address: "192.0.2.11").status == .ok)
            }
        }
    }

    @Test("the account page re-checks passwords and codes through the same buckets as sign-in")
    func accountPageRechecks() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let hasher = CountingHasher.install(app)
            let browser = WebClient(app)
            try await browser.get("/petugas/masuk")
            #expect(try await browser.post("/petugas/masuk", ["username": "koord", "password": "password-koord"]).status == .seeOther)
            hasher.reset()
            var statuses: [UInt] = []
            for i in 0..<8 {
                statuses.append(try await browser.post("/petugas/akun/sandi", ["current": "salah-\(i)", "new": "kata-sandi-baru-1", "repeat": "kata-sandi-baru-1"]).status.code)
            }
            #expect(statuses == [422, 422, 422, 422, 422, 429, 429, 429] && hasher.verifications == 5, "\(statuses)")
            // Sign-in from this address is refused too: one budget for the account at the address.
            let other = WebClient(app)
            try await other.get("/petugas/masuk")
            #expect(try await other.post("/petugas/masuk", ["username": "koord", "password": "password-koord"]).status == .tooManyRequests)
        }
    }
}
