import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

// Issue 17, finding 1: a CR/LF in `next` of the language switch became a second header (a planted session cookie),
// the same value reached the officers' sign-in form, and a tab got past the open-redirect check.

/// Whether an address carrying `decoded` (a query value or path segment, percent-decoded) is refused before any
/// handler sees it (`RequestLimitsMiddleware`: C0, DEL and C1 control characters; docs/security.md).
func refusedAtTheDoor(_ decoded: String) -> Bool {
    decoded.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
}

/// Hostile redirect targets as the server receives them (already percent-decoded once from the query or form).
enum Hostile {
    static let targets: [String] = [
        "/\r\nSet-Cookie: aduan_session=planted", "/\nSet-Cookie: x=1", "/\rX-Injected: 1", "/\r\n\r\n<html>",
        "/\t/evil.example/phish", "\t/evil.example", "/\u{0}x", "/\u{7f}", "/ x", "/\u{a0}x", "/\u{2028}x", "/\u{85}x",
        "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\\/evil.example",
        "javascript:alert(1)", "JavaScript:alert(document.cookie)", " javascript:alert(1)", "data:text/html,x", "vbscript:x",
        "https://evil.example/", "HTTPS://evil.example", "http:evil.example", "http:/evil.example", "evil.example", "", "x",
        "/%0d%0aSet-Cookie:%20x=1", "/%0aSet-Cookie:x=1", "/%0D%0A", "/%09/evil.example", "/%00", "/%7f", "/%c2%85x",
        "/%2f%2fevil.example", "/%2F/evil.example", "/%5cevil.example", "/%5C%5Cevil.example",
        "/%2e%2e//evil.example", "/..//evil.example", "/./x", "/%2e/x", "/petugas/../laporan",
        "/%zz", "/%", "/x?%0d%0a=1", "/x#%0a",
    ]
    /// Double-encoded forms: once decoded they are harmless text (`%0d` stays three characters), so a redirect to them
    /// is allowed as long as the Location carries no control character.
    static let doubleEncoded = ["/%250d%250aSet-Cookie:%2520x=1", "/%252f%252fevil.example", "/%2509/evil.example", "/%255cevil.example"]
    /// A few of each kind, for walking every route.
    static let sample = ["/\r\nSet-Cookie: aduan_session=planted", "/\t/evil.example/phish", "//evil.example", "/\\evil.example",
                         "javascript:alert(1)", "https://evil.example/", "/%0d%0aSet-Cookie:%20x=1", "/%250d%250aX:1"]
}

@Suite("Issue 17: one redirect-target rule, headers never from raw input")
struct RedirectTargetTests {
    @Test("the rule refuses every hostile target and keeps local ones")
    func rule() {
        for target in Hostile.targets {
            #expect(RedirectTarget.local(target) == nil, "accepted \(target.debugDescription)")
        }
        for target in ["/", "/laporan", "/laporan?q=jalan%20rusak&page=2", "/t/7KQ2MX9PJA", "/petugas/aduan/7KQ2MX9PJA?tab=x#riwayat",
                       "/statistik?tahun=2026"] {
            #expect(RedirectTarget.local(target) == target, "refused \(target)")
        }
        for target in Hostile.doubleEncoded { #expect(RedirectTarget.local(target).map(isSafeLocation) ?? true, "\(target)") }
        #expect(RedirectTarget.local("/petugas", under: "/petugas") == "/petugas")
        #expect(RedirectTarget.local("/petugas/aduan?x=1", under: "/petugas") == "/petugas/aduan?x=1")
        for outside in ["/petugasx", "/laporan", "/", "/petugas%2f..%2flaporan"] { #expect(RedirectTarget.local(outside, under: "/petugas") == nil, "\(outside)") }
        #expect(RedirectTarget.local("/" + String(repeating: "a", count: RedirectTarget.maxLength)) == nil)
    }

    @Test("the cookie-planting link, on the wire: the Location is `/` and no Set-Cookie of the attacker's is sent")
    func cookiePlantingLink() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            try await LiveServer.with(app) { server in
                for query in ["/%0d%0aSet-Cookie:%20aduan_session=planted", "/%0aSet-Cookie:%20aduan_session=planted", "/%09/evil.example/phish",
                              "/%250d%250aSet-Cookie:%2520aduan_session=planted", "%2f%2fevil.example", "/%5cevil.example"] {
                    let raw = try await rawHTTP(port: server.port, "GET /bahasa/en?next=\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    let lines = headerLines(raw)
                    // An address holding a control character once decoded is refused at the door (400), before any
                    // handler reads it; nothing is redirected and no cookie is set.
                    if refusedAtTheDoor(query.removingPercentEncoding ?? query) {
                        #expect(raw.hasPrefix("HTTP/1.1 400"), "\(query): \(raw.prefix(80))")
                        #expect(!lines.contains { $0.lowercased().hasPrefix("location:") || $0.lowercased().hasPrefix("set-cookie:") }, "\(query)")
                        continue
                    }
                    #expect(raw.hasPrefix("HTTP/1.1 303"), "\(query): \(raw.prefix(80))")
                    let locations = lines.filter { $0.lowercased().hasPrefix("location:") }
                    #expect(locations.count == 1 && locations.allSatisfy { isSafeLocation(String($0.dropFirst("location:".count)).trimmingCharacters(in: .whitespaces)) },
                            "\(query): \(locations)")
                    let cookies = lines.map { $0.lowercased() }.filter { $0.hasPrefix("set-cookie:") }
                    #expect(cookies.count == 1 && cookies[0].hasPrefix("set-cookie: aduan_lang=en;"), "\(query): \(cookies)")
                    #expect(!lines.contains { $0.lowercased().hasPrefix("set-cookie: aduan_session") }, "\(query)")
                }
                // The issue's two links are refused at the door, with neither a Location nor a cookie.
                for query in ["/%0d%0aSet-Cookie:%20x=1", "/%09/evil.example/phish"] {
                    let raw = try await rawHTTP(port: server.port, "GET /bahasa/en?next=\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    #expect(raw.hasPrefix("HTTP/1.1 400") && !headerLines(raw).contains { $0.lowercased().hasPrefix("location:") }, "\(query)")
                }
                // Without the door (a hostile target that is not a control character), the rule sends to exactly "/".
                for query in ["//evil.example", "/%5cevil.example"] {
                    let raw = try await rawHTTP(port: server.port, "GET /bahasa/en?next=\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    #expect(headerLines(raw).contains { $0.lowercased() == "location: /" }, "\(query)")
                }

                // The officers' sign-in form: the value never reaches the page (refused at the door), and a hostile
                // value without control characters is replaced by the workspace.
                let raw = try await rawHTTP(port: server.port, "GET /petugas/masuk?next=/%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                #expect(raw.hasPrefix("HTTP/1.1 400"))
                #expect(!raw.contains("Set-Cookie: x=1") && !raw.contains("\r\nSet-Cookie:%20x"))
                let page = try await rawHTTP(port: server.port, "GET /petugas/masuk?next=//evil.example HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                #expect(page.contains(#"<input type="hidden" name="next" value="/petugas">"#))
                let form = try await server.send(.GET, "/petugas/masuk")
                let csrf = try #require(csrfToken(in: form.body))
                let cookie = try #require(form.headers.setCookie?[CSRF.cookie]?.string)
                for target in Hostile.sample + ["/petugas/%0d%0aSet-Cookie:x=1", "/petugas/\r\nSet-Cookie: x=1"] {
                    let reply = try await server.send(.POST, "/petugas/masuk", headers: ["content-type": "application/x-www-form-urlencoded",
                                                                                       "cookie": "\(CSRF.cookie)=\(cookie)"],
                                                      body: "_csrf=\(encoded(csrf))&username=admin&password=password-admin&next=\(encoded(target))")
                    #expect(reply.status == .seeOther && reply.location == "/petugas", "\(target.debugDescription): \(reply.status) \(reply.location ?? "-")")
                    #expect(reply.headers.setCookie?["x"] == nil)
                }
            }
        }
    }

    @Test("every route, with hostile next/return/back/redirect/url/to, answers a relative Location without control characters")
    func walkEveryRoute() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let complaint = try await app.submit()
            let anonymous = WebClient(app)
            try await anonymous.get("/lapor")
            let officer = WebClient(app)
            try await officer.get("/petugas/masuk")
            #expect(try await officer.post("/petugas/masuk", ["username": "koord", "password": "password-koord"]).status == .seeOther)
            try await officer.get("/petugas")

            func path(_ route: Route, _ hostileSegment: String? = nil) -> String {
                "/" + route.path.map { part -> String in
                    let text = part.description
                    switch text {
                    case ":lang": return "en"
                    case ":id", ":tracking_id": return complaint.tracking_id
                    case _ where text.hasPrefix(":") || text.hasPrefix("*"): return hostileSegment.map(encoded) ?? "x"
                    default: return text
                    }
                }.joined(separator: "/")
            }
            let names = ["next", "return", "back", "redirect", "url", "to", "return_to", "kembali"]
            var redirects = 0, inputRedirects = 0
            // Sign-out routes last, so the officer's walk stays signed in as long as possible.
            let routes = app.routes.all.sorted { ($0.path.map(\.description).contains("keluar") ? 1 : 0) < ($1.path.map(\.description).contains("keluar") ? 1 : 0) }
            for route in routes where route.method == .GET || route.method == .POST {
                for target in Hostile.sample {
                    for client in [anonymous, officer] where !(client === officer && route.path.first?.description == "api") {
                        let query = names.map { "\($0)=\(encoded(target))" }.joined(separator: "&")
                        let reply: Reply
                        if route.method == .GET {
                            reply = try await client.get(path(route) + "?" + query)
                        } else {
                            reply = try await client.post(path(route), Dictionary(uniqueKeysWithValues: names.map { ($0, target) }))
                        }
                        for header in reply.headers {
                            #expect(!header.value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }, "\(route) \(header.name)")
                        }
                        if route.method == .GET && refusedAtTheDoor(target) {
                            #expect(reply.status == .badRequest, "\(route) with \(target.debugDescription): \(reply.status)")
                            continue
                        }
                        guard (300..<400).contains(reply.status.code) else { continue }
                        redirects += 1
                        let location = try #require(reply.location, "\(route): a redirect without Location")
                        #expect(isSafeLocation(location), "\(route.method) \(path(route)) with \(target.debugDescription) → \(location.debugDescription)")
                        if route.path.first?.description == "bahasa" {
                            inputRedirects += 1
                            if Hostile.targets.contains(target) { #expect(location == "/", "\(target.debugDescription) → \(location)") }
                        }
                    }
                }
            }
            let reachingTheSwitch = Hostile.sample.filter { !refusedAtTheDoor($0) }.count
            #expect(reachingTheSwitch >= 5 && redirects > 100 && inputRedirects == reachingTheSwitch * 2,
                    "\(redirects) redirects, \(inputRedirects) from the language switch")

            // The full hostile list on the routes whose target comes from input: the language switch, the officers'
            // sign-in (page and form) and the gate that sends a signed-out visitor to sign in and back.
            for target in Hostile.targets + Hostile.doubleEncoded {
                if refusedAtTheDoor(target) {
                    for address in ["/bahasa/id?next=", "/petugas/masuk?next=", "/petugas/aduan?q=", "/petugas/aduan/"] {
                        let reply = try await anonymous.get(address + encoded(target))
                        #expect(reply.status == .badRequest && reply.location == nil, "\(address)\(target.debugDescription): \(reply.status)")
                    }
                    continue
                }
                let language = try await anonymous.get("/bahasa/id?next=\(encoded(target))")
                #expect(language.status == .seeOther && language.location.map(isSafeLocation) == true, "\(target.debugDescription)")
                if Hostile.targets.contains(target) { #expect(language.location == "/", "\(target.debugDescription) → \(language.location ?? "-")") }
                let form = try await anonymous.get("/petugas/masuk?next=\(encoded(target))")
                let hidden = form.body.range(of: #"name="next" value=""#).map { String(form.body[$0.upperBound...].prefix { $0 != "\"" }) }
                    .map { $0.replacingOccurrences(of: "&amp;", with: "&") }
                #expect(hidden.map { isSafeLocation($0) && ($0 == "/petugas" || $0.hasPrefix("/petugas/")) } == true,
                        "\(target.debugDescription) → \(hidden ?? "-")")
                let gate = try await anonymous.get("/petugas/aduan?q=\(encoded(target))")
                #expect(gate.status == .seeOther && gate.location.map(isSafeLocation) == true, "\(target.debugDescription) → \(gate.location ?? "-")")
                // In the path, some of these do not even reach a route (404); those that do are sent to sign-in safely.
                let inPath = try await anonymous.get("/petugas/aduan/\(encoded(target))")
                if (300..<400).contains(inPath.status.code) { #expect(inPath.location.map(isSafeLocation) == true, "\(target.debugDescription)") }
            }
        }
    }

    @Test("a response whose header would carry a CR/LF is refused, never sent (the net under the rule)")
    func headerGuard() async throws {
        try await TestHarness.withApp { app in
            app.get("issue17-header") { _ -> Response in
                let response = Response(status: .seeOther)
                response.headers.replaceOrAdd(name: .location, value: "/\r\nSet-Cookie: aduan_session=planted")
                return response
            }
            try await LiveServer.with(app) { server in
                let raw = try await rawHTTP(port: server.port, "GET /issue17-header HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                #expect(raw.hasPrefix("HTTP/1.1 400"))
                #expect(!headerLines(raw).contains { $0.lowercased().hasPrefix("location") || $0.lowercased().hasPrefix("set-cookie: aduan_session") })
            }
        }
    }
}

@Suite("Issue 17: sessions are replaced whenever their rights change")
struct SessionRotationTests {
    /// A reporter account that has confirmed its address, signed in on `client`.
    static func reporter(_ app: Application, _ email: String, on client: WebClient) async throws {
        try await client.get("/akun/daftar")
        #expect(try await client.post("/akun/daftar", ["name": "Pelapor", "email": email, "password": "kata-sandi-panjang",
                                                        "password_confirm": "kata-sandi-panjang"]).status == .ok)
        try await ReporterAccount.query(on: app.db).filter(\.$emailHash == app.secrets.lookupHash(email)).set(\.$verifiedAt, to: app.clock.now).update()
        try await client.get("/akun/masuk")
        #expect(try await client.post("/akun/masuk", ["email": email, "password": "kata-sandi-panjang"]).location == "/akun")
    }

    @Test("a session id planted before sign-in is ended at sign-in: the victim's complaints follow the victim")
    func plantedReporterSession() async throws {
        try await TestHarness.withApp { app in
            let attacker = WebClient(app)
            try await Self.reporter(app, "penyerang@example.org", on: attacker)
            let planted = try #require(attacker.cookies[ReporterSession.cookie])

            // The victim's browser carries the attacker's session cookie (what the CR/LF link did), then signs in.
            let victim = WebClient(app)
            victim.cookies[ReporterSession.cookie] = planted
            try await Self.reporter(app, "korban@example.org", on: victim)
            #expect(victim.cookies[ReporterSession.cookie] != planted)
            #expect(try await BrowserSession.query(on: app.db).filter(\.$tokenHash == Secrets.sha256(planted)).count() == 0)
            try await victim.get("/lapor")
            #expect(try await victim.post("/lapor", ["title": "Jalan rusak parah", "body": "Jalan di depan pasar berlubang besar sekali.",
                                                     "jurisdiction": "63"]).status == .seeOther)
            let complaint = try #require(try await Complaint.query(on: app.db).first())
            let owner = try #require(try await ReporterAccount.find(complaint.reporterAccountID, on: app.db))
            #expect(owner.emailHash == app.secrets.lookupHash("korban@example.org"))
            // The planted id opens nothing any more.
            attacker.cookies[ReporterSession.cookie] = planted
            #expect(try await attacker.get("/akun").status == .seeOther)
        }
    }

    @Test("officers: sign-in, two-factor enrolment and a new password each give the browser a new session id")
    func officerRotation() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let browser = WebClient(app)
            browser.cookies[OfficerSession.cookie] = "planted-before-sign-in"
            try await browser.get("/petugas/masuk")
            #expect(try await browser.post("/petugas/masuk", ["username": "koord", "password": "password-koord"]).status == .seeOther)
            let first = try #require(browser.cookies[OfficerSession.cookie])
            #expect(first != "planted-before-sign-in")

            let page = try await browser.get("/petugas/akun")
            let pending = try #require(page.body.range(of: #"name="pending" value=""#).map { String(page.body[$0.upperBound...].prefix { $0 != "\"" }) })
            let secret = try #require(app.secrets.openTOTP(pending))
            let code = TOTP.code(secret: TOTP.base32Decode(secret)!, at: app.clock.now)
            #expect(try await browser.post("/petugas/akun/2fa", ["pending": pending, "code": code]).status == .ok)
            let second = try #require(browser.cookies[OfficerSession.cookie])
            #expect(second != first)
            #expect(try await BrowserSession.query(on: app.db).filter(\.$tokenHash == Secrets.sha256(first)).count() == 0)
            #expect(try await browser.get("/petugas").status == .ok)

            #expect(try await browser.post("/petugas/akun/sandi", ["current": "password-koord", "new": "kata-sandi-baru-1", "repeat": "kata-sandi-baru-1"])
                .location == "/petugas/akun?ok=password")
            let third = try #require(browser.cookies[OfficerSession.cookie])
            #expect(third != second)
            #expect(try await browser.get("/petugas").status == .ok)
            #expect(try await BrowserSession.query(on: app.db).filter(\.$kind == "officer").count() == 1)
        }
    }
}
