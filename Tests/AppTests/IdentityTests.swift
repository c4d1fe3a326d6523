import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

// Issue 17, findings 3, 9 and 10: roles that reach complaint content need two administrators and a sysadmin reads
// no complaint content anywhere; "unknown" and "not yours" answer alike; reporter accounts confirm their address;
// TOTP secrets are sealed at rest.

private func signedIn(_ app: Application, _ username: String, password: String? = nil) async throws -> WebClient {
    let client = WebClient(app)
    try await client.get("/petugas/masuk")
    let reply = try await client.post("/petugas/masuk", ["username": username, "password": password ?? "password-\(username)"])
    #expect(reply.status == .seeOther, "\(username): \(reply.body.prefix(200))")
    try await client.get("/petugas")
    return client
}

private func roles(_ app: Application, _ username: String) async throws -> Set<String> {
    let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
    return Set(try await UserRole.query(on: app.db).filter(\.$user.$id == user.requireID()).all().map { "\($0.role)@\($0.scope)" })
}

private func outbox(_ app: Application, kind: String) async throws -> [OutboxMessage] {
    try await OutboxMessage.query(on: app.db).filter(\.$kind == kind).sort(\.$id).all()
}

@Suite("Issue 17: roles that reach complaint content need two administrators", .serialized)
struct RoleGrantTests {
    @Test("nobody changes their own roles; inspector waits for a second sysadmin, who alone can approve it; the Inspektorat is told")
    func twoAdministrators() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            _ = try await app.createOfficer("admin2", .sysadmin, "63")
            let rinaToken = try await app.createOfficer("rina", .liaison, "63/dinkes")
            let wbs = try await app.submit(["type": "wbs", "title": "Dugaan pungutan liar di dinas"])
            let admin = try await signedIn(app, "admin")

            // The issue's move: a sysadmin grants itself the inspector role. Refused, nothing written.
            #expect(try await admin.post("/petugas/admin/pengguna/admin/peran", ["role": "inspector", "scope": "63"]).status == .forbidden)
            #expect(try await roles(app, "admin") == ["sysadmin@63"])
            #expect(try await RoleGrant.query(on: app.db).count() == 0)

            // For someone else it is only a request until another sysadmin approves.
            let asked = try await admin.post("/petugas/admin/pengguna/rina/peran", ["role": "inspector", "scope": "63"])
            #expect(asked.location == "/petugas/admin/pengguna/rina?ok=role_pending")
            #expect(try await roles(app, "rina") == ["liaison@63/dinkes"])
            #expect(try await app.get("/api/v1/complaints/\(wbs.tracking_id)", token: rinaToken).0 == .notFound)
            let grant = try #require(try await RoleGrant.query(on: app.db).first())
            #expect(grant.status == "pending" && grant.requestedBy == "admin")
            #expect(try await outbox(app, kind: RoleGrantMail.requestedKind).map(\.audience) == ["inspectorate:63"])
            // Asking twice files nothing more.
            #expect(try await admin.post("/petugas/admin/pengguna/rina/peran", ["role": "inspector", "scope": "63"]).location == "/petugas/admin/pengguna/rina?ok=role_pending")
            #expect(try await RoleGrant.query(on: app.db).count() == 1)

            // The one who asked cannot approve; the page says it waits for another administrator.
            let page = try await admin.get("/petugas/admin/pengguna/rina")
            #expect(page.body.contains("Menunggu administrator lain") && !page.body.contains("/setujui"))
            #expect(try await admin.post("/petugas/admin/pengguna/rina/permintaan/\(grant.id!)/setujui", [:]).status == .forbidden)
            #expect(try await roles(app, "rina") == ["liaison@63/dinkes"])

            // A second sysadmin approves: the role is in force, audited, and the Inspektorat is told.
            let admin2 = try await signedIn(app, "admin2")
            #expect(try await admin2.get("/petugas/admin/pengguna/rina").body.contains("/permintaan/\(grant.id!)/setujui"))
            let approved = try await admin2.post("/petugas/admin/pengguna/rina/permintaan/\(grant.id!)/setujui", [:])
            #expect(approved.location == "/petugas/admin/pengguna/rina?ok=grant_approved")
            #expect(try await roles(app, "rina") == ["liaison@63/dinkes", "inspector@63"])
            #expect(try await app.get("/api/v1/complaints/\(wbs.tracking_id)", token: rinaToken).0 == .ok)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "role_grant_approved").first()?.actor == "admin2")
            #expect(try await outbox(app, kind: RoleGrantMail.grantedKind).map(\.audience) == ["inspectorate:63"])
            // Deciding again changes nothing.
            #expect(try await admin2.post("/petugas/admin/pengguna/rina/permintaan/\(grant.id!)/setujui", [:]).status == .notFound)

            // A sysadmin cannot make a second sysadmin to approve its own requests: that role waits too.
            let puppet = try await admin.post("/petugas/admin/pengguna", ["username": "boneka", "display_name": "Boneka", "password": "kata-sandi-boneka",
                                                                         "role": "sysadmin", "scope": "63"])
            #expect(puppet.location == "/petugas/admin/pengguna/boneka?ok=user_create_pending", "\(puppet.body.prefix(300))")
            #expect(try await roles(app, "boneka").isEmpty)
            let puppetGrant = try #require(try await RoleGrant.query(on: app.db).filter(\.$status == "pending").first())
            #expect(try await admin.post("/petugas/admin/pengguna/boneka/permintaan/\(puppetGrant.id!)/setujui", [:]).status == .forbidden)
            let boneka = try await signedIn(app, "boneka", password: "kata-sandi-boneka")
            #expect(try await boneka.get("/petugas/admin").status == .forbidden)
            // The one who asked may withdraw it.
            #expect(try await admin.post("/petugas/admin/pengguna/boneka/permintaan/\(puppetGrant.id!)/tolak", [:]).location
                    == "/petugas/admin/pengguna/boneka?ok=grant_refused")
            #expect(try await RoleGrant.find(puppetGrant.id, on: app.db)?.status == "refused")

            // A liaison role on an ordinary unit takes effect at once, and the Inspektorat hears of it too.
            #expect(try await admin.post("/petugas/admin/pengguna/rina/peran", ["role": "unit_head", "scope": "63/dinkes"]).location
                    == "/petugas/admin/pengguna/rina?ok=role_add")
            #expect(try await outbox(app, kind: RoleGrantMail.grantedKind).count == 2)
            // And a role on the Inspektorat's unit (whistleblowing goes there) waits.
            #expect(try await admin.post("/petugas/admin/pengguna/rina/peran", ["role": "liaison", "scope": "63/inspektorat"]).location
                    == "/petugas/admin/pengguna/rina?ok=role_pending")
        }
    }

    @Test("on the server, `aduan user grant` and `aduan user create` grant at once, audited as cli, and the Inspektorat is told")
    func commandLine() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            var grant = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                "aduan", "grant", "--username", "admin", "--role", "inspector", "--scope", "63.71",
            ]))
            grant.application = app
            try await UserGroup().run(using: &grant)
            #expect(try await roles(app, "admin") == ["sysadmin@63", "inspector@63.71"])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "role_add").first()?.actor == "cli")
            #expect(try await outbox(app, kind: RoleGrantMail.grantedKind).map(\.audience) == ["inspectorate:63.71"])

            var create = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                "aduan", "create", "--username", "koord2", "--password", "kata-sandi-koord2", "--role", "coordinator", "--scope", "63",
            ]))
            create.application = app
            try await UserGroup().run(using: &create)
            #expect(try await roles(app, "koord2") == ["coordinator@63"])
            #expect(try await outbox(app, kind: RoleGrantMail.grantedKind).map(\.audience) == ["inspectorate:63.71", "inspectorate:63"])

            var bad = CommandContext(console: Terminal(), input: CommandInput(arguments: [
                "aduan", "grant", "--username", "admin", "--role", "liaison", "--scope", "63",
            ]))
            bad.application = app
            await #expect(throws: AppError.self) { try await UserGroup().run(using: &bad) }
            #expect(try await roles(app, "admin") == ["sysadmin@63", "inspector@63.71"])
        }
    }

    @Test("the Inspektorat's e-mail names who, which role, who asked and who approved")
    func inspectorateMail() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("insp", .inspector, "63")
            try await app.setEmail("insp", "inspektorat@kalselprov.go.id")
            _ = try await app.createOfficer("rina", .liaison, "63/dinkes")
            let rina = try #require(try await User.query(on: app.db).filter(\.$username == "rina").first())
            #expect(try await RoleGrants.request(app, actor: "admin", server: false, user: rina, RoleAssignment(role: .coordinator, scope: .jurisdiction("63"))) == .pending)
            let row = try #require(try await outbox(app, kind: RoleGrantMail.requestedKind).first)
            let transport = EmailTransport(app: app, settings: .loopback(port: 25))
            let mail = try #require(try await transport.compose(OutboxSnapshot(id: row.id!, idempotencyKey: row.idempotencyKey, kind: row.kind,
                                                                                audience: row.audience, payload: row.payload, attempts: 0)))
            #expect(mail.to.map(\.address) == ["inspektorat@kalselprov.go.id"])
            #expect(mail.text.contains("admin") && mail.text.contains("coordinator @ 63") && mail.text.contains("rina"))
        }
    }
}

@Suite("Issue 17: a sysadmin reads no complaint content, through any route", .serialized)
struct SysadminReadsNothingTests {
    @Test("every route, as an installation-wide sysadmin (page and API): none of the confidential, whistleblowing, identity or internal texts appear")
    func walk() async throws {
        try await TestHarness.withApp { app in
            let adminToken = try await app.createOfficer("admin", .sysadmin, "63")
            let coordinator = try await app.createOfficer("koord", .coordinator, "63")
            let inspector = try await app.createOfficer("insp", .inspector, "63")
            // What must never reach the sysadmin: texts of confidential and whistleblowing complaints, every reporter's
            // identity (public complaints included), internal notes, attachment names.
            let markers = ["ZQXJUDULWBS", "ZQXISIWBS", "ZQXJUDULRAHASIA", "ZQXISIRAHASIA", "ZQXNAMAPELAPOR", "zqxsurel@example.org",
                           "ZQXCATATANDALAM", "ZQXNAMAPUBLIK", "zqxpublik@example.org", "zqxlampiran"]
            let wbs = try await app.submit(["type": "wbs", "title": "ZQXJUDULWBS pungutan", "body": "ZQXISIWBS kronologi lengkap pungutan liar.",
                                            "reporter": ["name": "ZQXNAMAPELAPOR", "email": "zqxsurel@example.org"]])
            let upload = Multipart.body(fields: ["title": "ZQXJUDULRAHASIA jalan", "body": "ZQXISIRAHASIA lubang besar di jalan.", "jurisdiction": "63",
                                                 "confidential": "true", "reporter[name]": "ZQXNAMAPELAPOR"],
                                        files: [("attachments[]", "zqxlampiran.png", "image/png", Multipart.pngWithText("foto"))])
            var secret = ""
            var confidentialID = ""
            try await app.testing().test(.POST, "/api/v1/complaints", headers: ["content-type": upload.contentType], body: ByteBuffer(bytes: upload.body),
                                         afterResponse: { res in
                #expect(res.status == .created)
                confidentialID = (json(res.body.string)["tracking_id"] as? String) ?? ""
                secret = (json(res.body.string)["secret"] as? String) ?? ""
            })
            let open = try await app.submit(["reporter": ["name": "ZQXNAMAPUBLIK", "email": "zqxpublik@example.org"]])
            for id in [open.tracking_id, confidentialID] {
                #expect(try await app.act(coordinator, id, "verify", ["unit": "63/dinkes"]).0 == .ok)
                #expect(try await app.act(coordinator, id, "note", ["internal_text": "ZQXCATATANDALAM periksa"]).0 == .ok)
            }
            let attachment = try #require(try await Attachment.query(on: app.db).first())
            #expect(!secret.isEmpty)

            let admin = try await signedIn(app, "admin")
            let ids = [wbs.tracking_id, confidentialID, open.tracking_id]
            var requests = 0
            let routes = app.routes.all.sorted { ($0.path.map(\.description).contains("keluar") ? 1 : 0) < ($1.path.map(\.description).contains("keluar") ? 1 : 0) }
            for route in routes where route.method == .GET || route.method == .POST {
                let names = route.path.map(\.description)
                for id in ids {
                    let path = "/" + names.map { part -> String in
                        switch part {
                        case ":id", ":tracking_id": return id
                        case ":attachment", ":attachment_id": return attachment.id!.uuidString.lowercased()
                        case ":lang": return "id"
                        case ":jurisdiction": return "63"
                        case ":slug": return "dinkes"
                        case ":username": return "koord"
                        case ":channel": return "email"
                        case ":code": return "kesehatan"
                        case _ where part.hasPrefix(":") || part.hasPrefix("*"): return "1"
                        default: return part
                        }
                    }.joined(separator: "/")
                    for query in ["", "?q=ZQX&scope=63&include_sub=true", "?q=zqxsurel"] where route.method == .GET || query.isEmpty {
                        var replies: [Reply] = []
                        if route.method == .GET {
                            replies.append(try await admin.get(path + query))
                            replies.append(try await admin.send(.GET, path + query, form: nil, headers: ["authorization": "Bearer \(adminToken)"]))
                        } else {
                            replies.append(try await admin.post(path, ["q": "ZQX", "into": id, "text": "x"]))
                        }
                        requests += replies.count
                        for reply in replies {
                            let seen = reply.body + reply.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
                            for marker in markers { #expect(!seen.contains(marker), "\(route.method) \(path + query) shows \(marker)") }
                        }
                    }
                    if !names.contains(where: { $0 == ":id" || $0 == ":tracking_id" }) { break }
                }
            }
            #expect(requests > 300)
            // The walk can see a marker where one is shown: the inspector reads the whistleblowing complaint.
            #expect(try await app.get("/api/v1/complaints/\(wbs.tracking_id)", token: inspector).1.contains("ZQXJUDULWBS"))
            // Had any route shown a confidential complaint to the sysadmin, it would have been audited as a read.
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "read_confidential").filter(\.$actor == "admin").count() == 0)
        }
    }
}

@Suite("Issue 17: the same answer for unknown and not yours", .serialized)
struct ExistenceOracleTests {
    /// Status, error code and message, with the tracking ID taken out (each answer names the ID it was asked about).
    static func shape(_ reply: (HTTPStatus, String), _ id: String) -> String {
        let body = json(reply.1)["error"] as? [String: Any] ?? [:]
        return "\(reply.0.code) \(body["code"] ?? "-") \((body["message"] as? String ?? reply.1).replacingOccurrences(of: id, with: "ID"))"
    }

    @Test("a wrong secret or PIN on a confidential complaint answers exactly as an unknown number, by header, link and form")
    func wrongSecret() async throws {
        try await TestHarness.withApp { app in
            let hidden = try await app.submit(["confidential": true])
            let unknown = TrackingID.random().rawValue
            for secret in ["000000", "salah-sekali-bukan-rahasia", Secrets.randomToken(bytes: 32)] {
                let a = Self.shape(try await app.get("/api/v1/complaints/\(hidden.tracking_id)", secret: secret), hidden.tracking_id)
                let b = Self.shape(try await app.get("/api/v1/complaints/\(unknown)", secret: secret), unknown)
                #expect(a == b && a.hasPrefix("404 not_found"), "\(a) / \(b)")
                let c = Self.shape(try await app.reporter(secret, hidden.tracking_id, "reply", ["text": "tambahan"]), hidden.tracking_id)
                let d = Self.shape(try await app.reporter(secret, unknown, "reply", ["text": "tambahan"]), unknown)
                #expect(c == d && c.hasPrefix("404"), "\(c) / \(d)")
                let e = Self.shape(try await app.get("/api/v1/complaints/\(hidden.tracking_id)/events", secret: secret), hidden.tracking_id)
                #expect(e == a)
            }
            let browser = WebClient(app)
            try await browser.get("/lapor")   // a page with a form: the form token
            for (path, other) in [("/t/\(hidden.tracking_id)?s=salah", "/t/\(unknown)?s=salah"), ("/t/\(hidden.tracking_id)", "/t/\(unknown)")] {
                let a = try await browser.get(path), b = try await browser.get(other)
                #expect(a.status == .notFound && b.status == .notFound)
                #expect(a.body.replacingOccurrences(of: hidden.tracking_id, with: "ID") == b.body.replacingOccurrences(of: unknown, with: "ID"))
            }
            let a = try await browser.post("/t/\(hidden.tracking_id)/pin", ["pin": "123456"])
            let b = try await browser.post("/t/\(unknown)/pin", ["pin": "123456"])
            #expect(a.status == .notFound && b.status == .notFound, "\(a.status) \(b.status)")
            #expect(a.body.replacingOccurrences(of: hidden.tracking_id, with: "ID") == b.body.replacingOccurrences(of: unknown, with: "ID"))
            // The reporter still gets in with the link.
            #expect(try await app.get("/api/v1/complaints/\(hidden.tracking_id)", secret: hidden.secret).0 == .ok)
        }
    }

    @Test("merge: an unknown number, another scope's complaint and another scope's archived complaint give the same answer")
    func mergeOracle() async throws {
        try await TestHarness.withApp { app in
            let kota = try await app.createOfficer("koord.bjm", .coordinator, "63.71")
            let province = try await app.createOfficer("koord", .coordinator, "63")
            let mine = try await app.submit(["jurisdiction": "63.71"])
            let theirs = try await app.submit()
            let archived = try await app.submit()
            #expect(try await app.act(province, archived.tracking_id, "archive", ["reason": "spam"]).0 == .ok)
            var answers: Set<String> = []
            for into in [TrackingID.random().rawValue, theirs.tracking_id, archived.tracking_id] {
                let (status, body) = try await app.act(kota, mine.tracking_id, "merge", ["into": into])
                #expect(status == .unprocessableEntity)
                answers.insert(Self.shape((status, body), into))
            }
            #expect(answers.count == 1 && answers.first?.contains("no complaint you can see") == true, "\(answers)")
            #expect(!(answers.first ?? "").contains("diarsipkan"))
        }
    }

    @Test("sign-up answers the same for a new, a waiting and a confirmed address; what differs goes to the address by e-mail")
    func signUp() async throws {
        try await TestHarness.withApp { app in
            func signUp(_ email: String) async throws -> Reply {
                let client = WebClient(app)
                try await client.get("/akun/daftar")
                let reply = try await client.post("/akun/daftar", ["name": "Rina", "email": email, "password": "kata-sandi-panjang",
                                                                   "password_confirm": "kata-sandi-panjang"])
                var cleaned = reply
                cleaned.body = reply.body.replacingOccurrences(of: client.token, with: "TOKEN")
                cleaned.headers = [:]
                return cleaned
            }
            let first = try await signUp("rina@example.org")
            let again = try await signUp("rina@example.org")
            try await ReporterAccount.query(on: app.db).set(\.$verifiedAt, to: app.clock.now).update()
            let confirmed = try await signUp("Rina@Example.org")
            let fresh = try await signUp("budi@example.org")
            #expect(first.status == .ok && [again, confirmed, fresh].allSatisfy { $0.status == first.status && $0.body == first.body })
            #expect(first.body.contains("Periksa e-mail Anda") && !first.body.contains("sudah terdaftar"))
            #expect(try await ReporterAccount.query(on: app.db).count() == 2)
            #expect(try await outbox(app, kind: AccountMail.verifyKind).count == 3)
            #expect(try await outbox(app, kind: AccountMail.existsKind).count == 1)
        }
    }

    @Test("sign-in does the same work for an unknown address as for a wrong password (one bcrypt each) and answers the same")
    func signInWork() async throws {
        try await TestHarness.withApp { app in
            let client = WebClient(app)
            try await SessionRotationTests.reporter(app, "ada@example.org", on: client)
            let hasher = CountingHasher.install(app)
            var answers: [String] = []
            for email in ["ada@example.org", "tidak-ada@example.org"] {
                hasher.reset()
                let visitor = WebClient(app)
                try await visitor.get("/akun/masuk")
                let reply = try await visitor.post("/akun/masuk", ["email": email, "password": "salah-salah-salah"])
                #expect(hasher.verifications == 1, "\(email)")
                answers.append("\(reply.status.code) " + reply.body.replacingOccurrences(of: visitor.token, with: "").replacingOccurrences(of: email, with: "E"))
            }
            #expect(answers[0] == answers[1] && answers[0].hasPrefix("401"))
        }
    }
}

@Suite("Issue 17: reporter accounts confirm their address", .serialized)
struct AccountVerificationTests {
    static func link(_ app: Application, kind: String) async throws -> String {
        let row = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == kind).sort(\.$id, .descending).first())
        let payload = try JSONDecoder().decode(AccountMail.Payload.self, from: app.secrets.open(row.payload))
        return String(payload.link.dropFirst(app.settings.baseURL.count))
    }

    @Test("no sign-in before the link; the link confirms and never signs in; it is signed, expires, and dies with a new sign-up")
    func confirmation() async throws {
        try await TestHarness.withApp { app in
            let client = WebClient(app)
            try await client.get("/akun/daftar")
            let form = ["name": "Rina", "email": "rina@example.org", "password": "kata-sandi-panjang", "password_confirm": "kata-sandi-panjang"]
            #expect(try await client.post("/akun/daftar", form).status == .ok)
            #expect(client.cookies[ReporterSession.cookie] == nil)
            let first = try await Self.link(app, kind: AccountMail.verifyKind)
            #expect(first.hasPrefix("/akun/verifikasi/"))

            // Before confirming: the right password is refused, and a fresh link goes out.
            try await client.get("/akun/masuk")
            let early = try await client.post("/akun/masuk", ["email": "rina@example.org", "password": "kata-sandi-panjang"])
            #expect(early.status == .forbidden && early.body.contains("belum dikonfirmasi"))
            #expect(try await outbox(app, kind: AccountMail.verifyKind).count == 2)

            // A forged or altered link is refused.
            for bad in [first + "0", String(first.dropLast(2)), "/akun/verifikasi/eHl6.0000", "/akun/verifikasi/" + String(repeating: "a", count: 500)] {
                #expect(try await client.get(bad).status == .notFound, "\(bad)")
            }
            // The address is signed up again before the link is used: the first link dies with the old password.
            try await client.get("/akun/daftar")
            #expect(try await client.post("/akun/daftar", ["name": "Rina", "email": "rina@example.org", "password": "sandi-yang-lain-1",
                                                           "password_confirm": "sandi-yang-lain-1"]).status == .ok)
            #expect(try await client.get(first).status == .notFound)
            let second = try await Self.link(app, kind: AccountMail.verifyKind)
            let confirmed = try await client.get(second)
            #expect(confirmed.location == "/akun/masuk?ok=verified" && client.cookies[ReporterSession.cookie] == nil)
            #expect(try await ReporterAccount.query(on: app.db).first()?.verifiedAt != nil)
            try await client.get("/akun/masuk")
            #expect(try await client.post("/akun/masuk", ["email": "rina@example.org", "password": "sandi-yang-lain-1"]).location == "/akun")

            // Links expire (48 hours).
            let other = WebClient(app)
            try await other.get("/akun/daftar")
            #expect(try await other.post("/akun/daftar", ["name": "Budi", "email": "budi@example.org", "password": "kata-sandi-panjang",
                                                          "password_confirm": "kata-sandi-panjang"]).status == .ok)
            let late = try await Self.link(app, kind: AccountMail.verifyKind)
            app.clock.advance(by: 48 * 3600 + 1)
            #expect(try await other.get(late).status == .notFound)
        }
    }

    @Test("the password link of 'you already have an account' sets a new password once, ends the sessions and never signs in")
    func passwordLink() async throws {
        try await TestHarness.withApp { app in
            let owner = WebClient(app)
            try await SessionRotationTests.reporter(app, "rina@example.org", on: owner)
            let stranger = WebClient(app)
            try await stranger.get("/akun/daftar")
            #expect(try await stranger.post("/akun/daftar", ["name": "X", "email": "rina@example.org", "password": "bukan-punya-saya",
                                                             "password_confirm": "bukan-punya-saya"]).status == .ok)
            // The stranger's password was not set: the owner's still works.
            let check = WebClient(app)
            try await check.get("/akun/masuk")
            #expect(try await check.post("/akun/masuk", ["email": "rina@example.org", "password": "kata-sandi-panjang"]).location == "/akun")
            let link = try await Self.link(app, kind: AccountMail.existsKind)
            #expect(link.hasPrefix("/akun/sandi/"))
            let mailbox = WebClient(app)
            #expect(try await mailbox.get(link).status == .ok)
            let set = try await mailbox.post(link, ["password": "sandi-baru-rina-1", "password_confirm": "sandi-baru-rina-1"])
            #expect(set.location == "/akun/masuk?ok=password" && mailbox.cookies[ReporterSession.cookie] == nil)
            #expect(try await owner.get("/akun").status == .seeOther)   // every session ended
            #expect(try await mailbox.get(link).status == .notFound)    // once
            try await check.get("/akun/masuk")
            #expect(try await check.post("/akun/masuk", ["email": "rina@example.org", "password": "sandi-baru-rina-1"]).location == "/akun")
        }
    }
}

@Suite("Issue 17: the confirmation e-mail through the outbox and a real SMTP server", .serialized, .enabled(if: SMTPSink.runs, "aiosmtpd is not installed"))
struct AccountMailDeliveryTests {
    @Test("sign-up → the worker sends the confirmation by SMTP → the link in the message (read by Python's e-mail parser) confirms the account")
    func throughSMTP() async throws {
        let sink = SMTPSink()
        try await sink.start()
        defer { sink.stop() }
        try await TestHarness.withApp(loopbackReceivers: true) { app in
            let client = WebClient(app)
            try await client.get("/akun/daftar")
            #expect(try await client.post("/akun/daftar", ["name": "Rina", "email": "rina@example.org", "password": "kata-sandi-panjang",
                                                           "password_confirm": "kata-sandi-panjang"]).status == .ok)
            let worker = Worker(app: app, transport: EmailTransport(app: app, settings: .loopback(port: sink.port)))
            let report = try await worker.runOnce()
            let errors = try await OutboxMessage.query(on: app.db).all().compactMap(\.lastError)
            #expect(report.delivered == 1 && report.failed == 0, "\(report) \(errors)")
            let mail = try #require(try sink.messages().first)
            #expect(mail.rcpt_tos == ["rina@example.org"] && mail.subject == "Konfirmasi alamat e-mail Anda untuk Aduan")
            let text = try #require(mail.plain)
            let base = app.settings.baseURL
            let link = try #require(text.components(separatedBy: .whitespacesAndNewlines).first { $0.hasPrefix(base + "/akun/verifikasi/") })
            #expect(try await client.get(String(link.dropFirst(base.count))).location == "/akun/masuk?ok=verified")
            #expect(try await ReporterAccount.query(on: app.db).first()?.verifiedAt != nil)
        }
    }
}

@Suite("Issue 17: TOTP secrets sealed at rest", .serialized)
struct SealedTOTPTests {
    @Test("an enrolled secret is stored sealed, never in clear; M016 seals existing clear secrets and its revert restores them")
    func sealed() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("insp", .inspector, "63")
            let sql = app.db as! any SQLDatabase
            let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            // An installation from before the migration: the secret in the clear column.
            let migration = M016_IdentityAndSecrets(totpKey: app.secrets.totpSealing)
            try await migration.revert(on: app.writeDB)
            try await sql.raw("UPDATE users SET totp_secret = \(bind: secret) WHERE username = 'insp'").run()
            try await migration.prepare(on: app.writeDB)

            let row = try #require(try await sql.raw("SELECT totp_secret, totp_sealed FROM users WHERE username = 'insp'").first())
            #expect(try row.decodeNil(column: "totp_secret"))
            let sealed = try row.decode(column: "totp_sealed", as: String.self)
            #expect(!sealed.contains(secret) && Data(base64Encoded: sealed).map { !String(decoding: $0, as: UTF8.self).contains(secret) } == true)
            #expect(app.secrets.openTOTP(sealed) == secret)
            // Another installation's key cannot open it.
            #expect(Secrets(master: "another-installation-key-0123456789abcdef").openTOTP(sealed) == nil)
            // And sign-in with a code from the secret works as before.
            let code = TOTP.code(secret: TOTP.base32Decode(secret)!, at: app.clock.now)
            try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                try req.content.encode(["username": "insp", "password": "password-insp", "totp": code])
            }, afterResponse: { res in #expect(res.status == .ok, "\(res.body.string)") })

            // The revert puts the clear secret back (for a downgrade), and the migration seals it again.
            try await migration.revert(on: app.writeDB)
            let reverted = try #require(try await sql.raw("SELECT totp_secret FROM users WHERE username = 'insp'").first())
            #expect(try reverted.decode(column: "totp_secret", as: String.self) == secret)
            try await migration.prepare(on: app.writeDB)
            #expect(try await User.query(on: app.db).filter(\.$username == "insp").first()?.totpSealed.flatMap(app.secrets.openTOTP) == secret)
        }
    }
}
