import AduanCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import App

// The sysadmin's pages under /petugas/admin (SPEC §1 sysadmin, §2 organisation, §5 calendars).

/// Every test here gets its own database; on PostgreSQL each holds several connections, so the suites run one test
/// at a time instead of adding two dozen databases to the rest of the parallel run.
@Suite("Admin pages", .serialized)
struct AdminPages {}

/// An officer signed in through the web form, as a browser.
private func signedIn(_ app: Application, _ username: String) async throws -> Browser {
    let browser = Browser(app)
    try await browser.get("/petugas/masuk")
    let (status, body, _) = try await browser.post("/petugas/masuk", ["username": username, "password": "password-\(username)"])
    #expect(status == .seeOther, "\(body.prefix(300))")
    return browser
}

extension Browser {
    /// A multipart form with one file, carrying the form token, as a browser sends an upload.
    func upload(_ path: String, filename: String, _ content: String) async throws -> (HTTPStatus, String, String?) {
        let boundary = "aduan-test-boundary"
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n"
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        body += content + "\r\n--\(boundary)--\r\n"
        var jar = HTTPCookies()
        for (name, value) in cookies { jar[name] = .init(string: value) }
        var headers: HTTPHeaders = ["content-type": "multipart/form-data; boundary=\(boundary)"]
        headers.cookie = jar
        var out: (HTTPStatus, String, String?) = (.internalServerError, "", nil)
        try await app.testing().test(.POST, path, headers: headers, body: ByteBuffer(string: body), afterResponse: { res in
            out = (res.status, res.body.string, res.headers.first(name: .location))
        })
        return out
    }
}

/// Everything the administration pages can change, as text: equal snapshots mean nothing changed.
private func snapshot(_ app: Application) async throws -> String {
    let db = app.db
    var lines: [String] = []
    for j in try await Jurisdiction.query(on: db).sort(\.$id).all() { lines.append("jurisdiction \(j.id!) \(j.name) \(j.timeZone) \(j.workingWeekdays)") }
    for u in try await OrgUnit.query(on: db).sort(\.$id).all() { lines.append("unit \(u.id!) \(u.name) \(u.kind) \(u.parentID ?? "-") \(u.active)") }
    for u in try await User.query(on: db).sort(\.$username).all() {
        lines.append("user \(u.username) \(u.displayName) \(u.email ?? "-") \(u.active) \(u.totpSealed ?? "-") \(u.passwordHash)")
    }
    for g in try await RoleGrant.query(on: db).sort(\.$id).all() { lines.append("grant \(g.userID) \(g.role) \(g.scope) \(g.status)") }
    let sql = db as! any SQLDatabase
    for row in try await sql.raw("SELECT bucket, failures FROM secret_attempts ORDER BY bucket").all() {
        lines.append("attempts \(try row.decode(column: "bucket", as: String.self)) \(try row.decode(column: "failures", as: Int.self))")
    }
    for r in try await UserRole.query(on: db).sort(\.$id).all() { lines.append("role \(r.$user.id) \(r.role) \(r.scope)") }
    for c in try await Category.query(on: db).sort(\.$id).all() { lines.append("category \(c.id!) \(c.name) \(c.nameEn ?? "-") \(c.resolutionClass)") }
    for d in try await CategoryDefault.query(on: db).sort(\.$id).all() { lines.append("default \(d.categoryCode) \(d.jurisdictionCode) \(d.unitID)") }
    for h in try await Holiday.query(on: db).sort(\.$id).all() { lines.append("holiday \(h.jurisdictionCode ?? "-") \(h.date) \(h.name) \(h.kind)") }
    for s in try await Setting.query(on: db).sort(\.$id).all() { lines.append("setting \(s.id!) \(s.value)") }
    for m in try await MessageTemplate.query(on: db).sort(\.$id).all() { lines.append("template \(m.id!) \(m.subject) \(m.body)") }
    for o in try await OutboxMessage.query(on: db).sort(\.$id).all() { lines.append("outbox \(o.id!) \(o.status) \(o.attempts)") }
    for w in try await WebhookSubscription.query(on: db).sort(\.$id).all() {
        lines.append("webhook \(w.id!) \(w.name) \(w.url) \(w.events) \(w.jurisdictionCode) \(w.includeSub) \(w.active) \(w.secretSealed)")
    }
    for k in try await APIKey.query(on: db).sort(\.$name).all() {
        lines.append("apikey \(k.name) \(k.scopes) \(k.scope ?? "-") \(k.rateLimit) \(k.active) \(k.useCount) \(k.refusedCount)")
    }
    lines.append("apikey usage \(try await APIKeyUsage.query(on: db).count())")
    for t in try await StoredTriageModel.query(on: db).sort(\.$id).all() { lines.append("triage \(t.jurisdictionCode) \(t.version) \(t.examples)") }
    for a in try await CategoryAttribute.query(on: db).sort(\.$id).all() {
        lines.append("attribute \(a.categoryCode) \(a.code) \(a.datatype) \(a.required) \(a.variable) \(a.order) \(a.description) \(a.valueList)")
    }
    lines.append("audit \(try await AuditEntry.query(on: db).count())")
    return lines.joined(separator: "\n")
}

private func audits(_ app: Application, _ action: String) async throws -> [AuditEntry] {
    try await AuditEntry.query(on: app.db).filter(\.$action == action).all()
}

/// The public unit list, as the portal and clients read it (from the reference cache).
private func publicUnits(_ app: Application, _ jurisdiction: String) async throws -> [String: String] {
    let (_, body) = try await app.get("/api/v1/units?jurisdiction=\(jurisdiction)")
    return Dictionary(uniqueKeysWithValues: jsonArray(body).map { ($0["id"] as! String, $0["name"] as! String) })
}

// MARK: - Authorization

/// One admin route and a form that would change something if it were accepted.
private struct Route: CustomStringConvertible {
    var method: HTTPMethod
    var path: String
    var form: [String: String] = [:]
    var description: String { "\(method) \(path)" }
}

/// Every admin route, aimed at jurisdiction `j` (unit `unit`, officer `user` with role row `roleID`, holiday `holidayID`).
private func routes(in j: String, unit: String, user: String, roleID: Int, holidayID: Int, keyID: UUID) -> [Route] {
    let week = ["day1": "1", "day2": "1", "day3": "1", "day4": "1", "day5": "1", "day6": "1", "time_zone": "Asia/Jakarta"]
    var policy = Dictionary(uniqueKeysWithValues: Policy.Number.all.map { ($0.name, "9") })
    policy["default_resolution_class"] = "sederhana"
    return [
        Route(method: .GET, path: "/petugas/admin/organisasi/\(j)"),
        Route(method: .POST, path: "/petugas/admin/organisasi/\(j)", form: ["slug": "upt-baru", "name": "UPT Baru", "kind": "agency"]),
        Route(method: .POST, path: "/petugas/admin/organisasi/\(j)/impor", form: ["mode": "load"]),
        Route(method: .POST, path: "/petugas/admin/unit/\(unit)/nama", form: ["name": "Nama Lain"]),
        Route(method: .POST, path: "/petugas/admin/unit/\(unit)/nonaktifkan"),
        Route(method: .POST, path: "/petugas/admin/unit/\(unit)/aktifkan"),
        Route(method: .GET, path: "/petugas/admin/pengguna/\(user)"),
        Route(method: .POST, path: "/petugas/admin/pengguna/\(user)/peran", form: ["role": "executive", "scope": j]),
        Route(method: .POST, path: "/petugas/admin/pengguna/\(user)/peran/\(roleID)/hapus"),
        Route(method: .POST, path: "/petugas/admin/pengguna/\(user)/nonaktifkan"),
        Route(method: .POST, path: "/petugas/admin/pengguna/\(user)/aktifkan"),
        Route(method: .POST, path: "/petugas/admin/pengguna/\(user)/buka-kunci"),
        Route(method: .POST, path: "/petugas/admin/pengguna/\(user)/reset-2fa"),
        Route(method: .POST, path: "/petugas/admin/pengguna/\(user)/permintaan/1/setujui"),
        Route(method: .POST, path: "/petugas/admin/pengguna/\(user)/permintaan/1/tolak"),
        Route(method: .GET, path: "/petugas/admin/kategori?j=\(j)"),
        Route(method: .GET, path: "/petugas/admin/triase?j=\(j)"),
        Route(method: .POST, path: "/petugas/admin/triase/\(j)/latih"),
        Route(method: .POST, path: "/petugas/admin/kategori/kesehatan/unit", form: ["jurisdiction": j, "unit": unit]),
        Route(method: .GET, path: "/petugas/admin/kalender/\(j)"),
        Route(method: .POST, path: "/petugas/admin/kalender/\(j)/hari-kerja", form: week),
        Route(method: .POST, path: "/petugas/admin/kalender/\(j)/libur", form: ["date": "2026-11-11", "name": "Libur Baru", "kind": "libur_daerah"]),
        Route(method: .POST, path: "/petugas/admin/kalender/\(j)/libur/\(holidayID)/hapus"),
        Route(method: .POST, path: "/petugas/admin/kalender/\(j)/impor"),
        // Shared by every jurisdiction: for an administrator of the whole installation only.
        Route(method: .POST, path: "/petugas/admin/kategori/kesehatan/kelas", form: ["jurisdiction": j, "resolution_class": "sederhana"]),
        Route(method: .POST, path: "/petugas/admin/kategori/kesehatan/nama", form: ["name": "Kesehatan", "name_en": "Health"]),
        Route(method: .GET, path: "/petugas/admin/kalender/nasional"),
        Route(method: .POST, path: "/petugas/admin/kalender/nasional/libur", form: ["date": "2026-11-12", "name": "Libur Nasional", "kind": "libur_nasional"]),
        Route(method: .GET, path: "/petugas/admin/pengaturan"),
        Route(method: .POST, path: "/petugas/admin/pengaturan/tenggat", form: policy),
        Route(method: .POST, path: "/petugas/admin/pengaturan/keamanan", form: ["role_sysadmin": "1"]),
        Route(method: .POST, path: "/petugas/admin/pengaturan/peta", form: ["map_template": "https://tiles.example.org/{z}/{x}/{y}.png",
                                                                            "map_attribution": "© OpenStreetMap contributors", "map_lat": "-3.3",
                                                                            "map_lng": "114.6", "map_zoom": "12"]),
        Route(method: .GET, path: "/petugas/admin/pesan"),
        Route(method: .POST, path: "/petugas/admin/pesan/uji", form: ["to": "uji@example.org"]),
        Route(method: .POST, path: "/petugas/admin/pesan/pengaturan", form: ["ADUAN_SMTP_HOST": "smtp.example.org", "ADUAN_SMTP_FROM": "a@example.org"]),
        Route(method: .POST, path: "/petugas/admin/pesan/pengaturan/hapus"),
        Route(method: .POST, path: "/petugas/admin/pesan/ulang-semua"),
        Route(method: .POST, path: "/petugas/admin/pesan/1/ulang"),
        Route(method: .GET, path: "/petugas/admin/pesan/templat/received/id"),
        Route(method: .POST, path: "/petugas/admin/pesan/templat/received/id", form: ["subject": "Diubah {id}", "body": "Isi diubah {id}"]),
        Route(method: .POST, path: "/petugas/admin/pesan/templat/received/id/asli"),
        Route(method: .GET, path: "/petugas/admin/pesan/webhook"),
        Route(method: .POST, path: "/petugas/admin/pesan/webhook", form: ["name": "Baru", "url": "https://baru.example.org/hook", "jurisdiction": j]),
        Route(method: .GET, path: "/petugas/admin/pesan/webhook/1"),
        Route(method: .POST, path: "/petugas/admin/pesan/webhook/1", form: ["name": "Diubah", "url": "https://diubah.example.org/hook", "jurisdiction": j]),
        Route(method: .POST, path: "/petugas/admin/pesan/webhook/1/nonaktifkan"),
        Route(method: .POST, path: "/petugas/admin/pesan/webhook/1/aktifkan"),
        Route(method: .POST, path: "/petugas/admin/pesan/webhook/1/uji"),
        Route(method: .GET, path: "/petugas/admin/kategori/kesehatan/atribut"),
        Route(method: .POST, path: "/petugas/admin/kategori/kesehatan/atribut", form: ["code": "jenis", "datatype": "text", "variable": "1",
                                                                                       "description": "Jenis lain", "order": "2"]),
        Route(method: .POST, path: "/petugas/admin/kategori/kesehatan/atribut/jenis/hapus"),
        Route(method: .GET, path: "/petugas/admin/kunci-api"),
        Route(method: .POST, path: "/petugas/admin/kunci-api", form: ["name": "Kunci Lain", "s_read-public": "1", "rate_limit": "10"]),
        Route(method: .GET, path: "/petugas/admin/kunci-api/\(keyID.uuidString.lowercased())"),
        Route(method: .POST, path: "/petugas/admin/kunci-api/\(keyID.uuidString.lowercased())", form: ["s_submit": "1", "rate_limit": "5"]),
        Route(method: .POST, path: "/petugas/admin/kunci-api/\(keyID.uuidString.lowercased())/cabut"),
    ]
}

/// Routes that name no jurisdiction: they open for any sysadmin on their own area.
private let landingRoutes = [
    Route(method: .GET, path: "/petugas/admin"),
    Route(method: .GET, path: "/petugas/admin/organisasi"),
    Route(method: .GET, path: "/petugas/admin/pengguna"),
    Route(method: .POST, path: "/petugas/admin/pengguna", form: ["username": "orang-baru", "display_name": "Orang Baru", "password": "kata-sandi-panjang",
                                                                 "role": "coordinator", "scope": "63"]),
    Route(method: .GET, path: "/petugas/admin/kategori"),
    Route(method: .GET, path: "/petugas/admin/kalender"),
]

/// A province with the officers and rows the route table needs.
private struct Installation {
    var roleID: Int
    var holidayID: Int
    var roleID6302: Int
    var holidayID6302: Int
    var keyID: UUID

    static func make(_ app: Application) async throws -> Installation {
        _ = try await app.createOfficer("admin", .sysadmin, "63")
        _ = try await app.createOfficer("admin6301", .sysadmin, "63.01")
        _ = try await app.createOfficer("koord", .coordinator, "63")
        _ = try await app.createOfficer("koord6302", .coordinator, "63.02")
        // Webhook subscription 1, which the route table's webhook routes aim at (its URL answers nothing).
        _ = try await WebhookAdmin.create(.init(name: "Dasbor", url: "http://127.0.0.1:9/hook", secret: "", actions: [], jurisdiction: "63", includeSub: true),
                                          actor: "test", app: app, on: app.db)
        let holiday = Holiday(jurisdictionCode: "63", date: "2026-09-09", name: "Hari Jadi", kind: "libur_daerah")
        try await holiday.create(on: app.db)
        let holiday6302 = Holiday(jurisdictionCode: "63.02", date: "2026-09-10", name: "Hari Jadi Kotabaru", kind: "libur_daerah")
        try await holiday6302.create(on: app.db)
        func role(_ username: String) async throws -> Int {
            let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
            return try #require(try await UserRole.query(on: app.db).filter(\.$user.$id == user.requireID()).first()?.id)
        }
        let key = try await APIKeys.create(app, name: "Kunci Uji", scopes: [.readPublic])
        try await CategoryAttribute(category: "kesehatan", ServiceAttribute(code: "jenis", datatype: .string, required: false, description: "Jenis",
                                                                            order: 1)).create(on: app.db)
        return Installation(roleID: try await role("koord"), holidayID: holiday.id!, roleID6302: try await role("koord6302"), holidayID6302: holiday6302.id!,
                            keyID: key.id)
    }

    var province: [Route] { routes(in: "63", unit: "63/dinsos", user: "koord", roleID: roleID, holidayID: holidayID, keyID: keyID) }
    var kabupaten6302: [Route] { routes(in: "63.02", unit: "63.02/inspektorat", user: "koord6302", roleID: roleID6302, holidayID: holidayID6302, keyID: keyID) }
}

private func send(_ browser: Browser, _ route: Route) async throws -> (HTTPStatus, String, String?) {
    if route.method == .GET {
        let (status, body) = try await browser.get(route.path)
        return (status, body, nil)
    }
    return try await browser.post(route.path, route.form)
}

extension AdminPages {
    @Suite("who may use them")
    struct AdminAuthorizationTests {
        @Test("the route table of these tests covers every admin route the server registers")
        func everyRoute() async throws {
            try await TestHarness.withApp { app in
                let setup = try await Installation.make(app)
                let exercised = (landingRoutes + setup.province).map { ($0.method, $0.path.split(separator: "?")[0].split(separator: "/").map(String.init)) }
                let registered = app.routes.all.filter { $0.path.count >= 2 && $0.path[0].description == "petugas" && $0.path[1].description == "admin" }
                #expect(registered.count == 59)
                for route in registered {
                    let pattern = route.path.map(\.description)
                    let covered = exercised.contains { method, segments in
                        method == route.method && segments.count == pattern.count
                            && zip(segments, pattern).allSatisfy { segment, part in part.hasPrefix(":") || segment == part }
                    }
                    #expect(covered, "\(route.method) /\(pattern.joined(separator: "/")) is not in the route table")
                }
            }
        }

        @Test("signed out: every admin route leads to the sign-in page and changes nothing")
        func signedOut() async throws {
            try await TestHarness.withApp { app in
                let setup = try await Installation.make(app)
                let browser = Browser(app)
                try await browser.get("/petugas/masuk")   // a form token, so posts reach the route
                let before = try await snapshot(app)
                for route in landingRoutes + setup.province {
                    let (status, _, location) = try await send(browser, route)
                    #expect(status == .seeOther, "\(route)")
                    if route.method == .POST { #expect(location == "/petugas/masuk", "\(route)") }
                }
                #expect(try await browser.get("/petugas/admin").0 == .seeOther)
                #expect(try await snapshot(app) == before)
            }
        }

        @Test("an officer without the sysadmin role gets a 403 page on every admin route, and nothing changes")
        func notSysadmin() async throws {
            try await TestHarness.withApp { app in
                let setup = try await Installation.make(app)
                let browser = try await signedIn(app, "koord")
                try await browser.get("/petugas")
                let before = try await snapshot(app)
                for route in landingRoutes + setup.province {
                    let (status, body, _) = try await send(browser, route)
                    #expect(status == .forbidden, "\(route)")
                    #expect(body.contains("<h1>Tidak diizinkan</h1>") && body.contains("administrator sistem"), "\(route)")
                }
                #expect(try await snapshot(app) == before)
            }
        }

        @Test("a kabupaten's sysadmin (63.01) cannot manage the province (63) or a neighbour (63.02): 403, nothing changes")
        func kabupatenSysadmin() async throws {
            try await TestHarness.withApp { app in
                let setup = try await Installation.make(app)
                let browser = try await signedIn(app, "admin6301")
                try await browser.get("/petugas/admin")
                let before = try await snapshot(app)
                for route in setup.province + setup.kabupaten6302 {
                    let (status, body, _) = try await send(browser, route)
                    #expect(status == .forbidden, "\(route): \(body.prefix(200))")
                }
                #expect(try await snapshot(app) == before)

                // The landing pages open on their own kabupaten, and list nobody from outside it.
                let (_, home) = try await browser.get("/petugas/admin")
                #expect(home.contains("Kabupaten Tanah Laut") && !home.contains("/petugas/admin/pengaturan"))
                let (_, org) = try await browser.get("/petugas/admin/organisasi")
                #expect(org.contains("63.01/diskominfo") && !org.contains("63/dinkes") && !org.contains("63.02/"))
                let (_, users) = try await browser.get("/petugas/admin/pengguna")
                #expect(users.contains("admin6301") && !users.contains(">koord<") && !users.contains("koord6302"))
                // A role outside the area, asked for in a form, is an error next to the field.
                let (status, page, _) = try await browser.post("/petugas/admin/pengguna", landingRoutes[3].form)
                #expect(status == .unprocessableEntity && page.contains(#"id="scope-error""#) && page.contains("di luar wilayah"))
                #expect(try await snapshot(app) == before)
            }
        }

        @Test("a post without the form token is refused and changes nothing")
        func withoutCSRF() async throws {
            try await TestHarness.withApp { app in
                let setup = try await Installation.make(app)
                let browser = try await signedIn(app, "admin")
                try await browser.get("/petugas/admin")
                let before = try await snapshot(app)
                let token = browser.token
                browser.token = "forged"
                for route in (landingRoutes + setup.province) where route.method == .POST {
                    #expect(try await browser.post(route.path, route.form).0 == .forbidden, "\(route)")
                }
                browser.token = token
                #expect(try await snapshot(app) == before)
            }
        }

        @Test("the province's sysadmin reaches every page, kabupaten/kota included")
        func provinceSysadmin() async throws {
            try await TestHarness.withApp { app in
                _ = try await Installation.make(app)
                let browser = try await signedIn(app, "admin")
                for path in ["/petugas/admin", "/petugas/admin/organisasi", "/petugas/admin/organisasi/63.02", "/petugas/admin/pengguna",
                             "/petugas/admin/pengguna/koord6302", "/petugas/admin/kategori?j=63.71", "/petugas/admin/kalender",
                             "/petugas/admin/kalender/nasional", "/petugas/admin/kalender/63.02?tahun=2027", "/petugas/admin/pengaturan",
                             "/petugas/admin/kunci-api", "/petugas/admin/triase", "/petugas/admin/triase?j=63.02"] {
                    let (status, body) = try await browser.get(path)
                    #expect(status == .ok, "\(path): \(body.prefix(300))")
                    #expect(body.contains(#"aria-current="page""#), "\(path)")
                }
                #expect(try await browser.get("/petugas/admin/organisasi/99").0 == .notFound)
                #expect(try await browser.get("/petugas/admin/pengguna/nobody").0 == .notFound)
                #expect(try await browser.get("/petugas/admin/kalender/bukan-kalender").0 == .notFound)
            }
        }
    }
}

// MARK: - Organisation

extension AdminPages {
    @Suite("organisation tree")
    struct AdminOrganisationTests {
        @Test("create a sub-unit, rename, deactivate and reactivate it: the database, the audit log and the public unit list follow")
        func unitLifecycle() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                let (_, page) = try await browser.get("/petugas/admin/organisasi/63")
                #expect(page.contains("RSUD Ulin Banjarmasin") && page.contains(#"class="depth-1""#))

                var (status, body, location) = try await browser.post("/petugas/admin/organisasi/63",
                                                                      ["slug": "upt-labkes", "name": "UPT Laboratorium Kesehatan", "kind": "subunit", "parent": "63/dinkes"])
                #expect(status == .seeOther && location == "/petugas/admin/organisasi/63?ok=unit_create", "\(body.prefix(300))")
                let unit = try #require(try await OrgUnit.find("63/upt-labkes", on: app.db))
                #expect(unit.parentID == "63/dinkes" && unit.kind == "subunit" && unit.active)
                #expect(try await publicUnits(app, "63")["63/upt-labkes"] == "UPT Laboratorium Kesehatan")
                #expect(try await audits(app, "unit_create").first?.actor == "admin")
                let (_, done) = try await browser.get(location!)
                #expect(done.contains("Unit dibuat."))

                (status, _, _) = try await browser.post("/petugas/admin/unit/63/upt-labkes/nama", ["name": "UPT Labkes Provinsi"])
                #expect(status == .seeOther)
                #expect(try await publicUnits(app, "63")["63/upt-labkes"] == "UPT Labkes Provinsi")

                (status, _, _) = try await browser.post("/petugas/admin/unit/63/upt-labkes/nonaktifkan", [:])
                #expect(status == .seeOther)
                #expect(try await publicUnits(app, "63")["63/upt-labkes"] == nil)
                #expect(try await OrgUnit.find("63/upt-labkes", on: app.db)?.active == false)   // never deleted
                (status, _, _) = try await browser.post("/petugas/admin/unit/63/upt-labkes/aktifkan", [:])
                #expect(status == .seeOther)
                #expect(try await publicUnits(app, "63")["63/upt-labkes"] != nil)
                #expect(try await audits(app, "unit_deactivate").count == 1)
                #expect(try await audits(app, "unit_reactivate").count == 1)
            }
        }

        @Test("bad input and refused changes: 422, the error next to its field or row, nothing changed")
        func refusals() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                try await browser.get("/petugas/admin/organisasi/63")
                let before = try await snapshot(app)

                var (status, body, _) = try await browser.post("/petugas/admin/organisasi/63", ["slug": "UPT Baru!", "name": "", "kind": "subunit", "parent": ""])
                #expect(status == .unprocessableEntity)
                for id in ["slug-error", "name-error", "parent-error"] { #expect(body.contains(#"id="\#(id)""#), "\(id)") }
                #expect(body.contains(#"value="UPT Baru!""#))
                (status, body, _) = try await browser.post("/petugas/admin/organisasi/63", ["slug": "dinkes", "name": "Dinas Kesehatan 2", "kind": "agency"])
                #expect(status == .unprocessableEntity && body.contains("sudah dipakai"))
                (status, body, _) = try await browser.post("/petugas/admin/organisasi/63", ["slug": "kominfo-2", "name": "Kominfo Dua", "kind": "coordinator"])
                #expect(status == .unprocessableEntity && body.contains(#"id="kind-error""#))
                (status, body, _) = try await browser.post("/petugas/admin/unit/63/diskominfo/nonaktifkan", [:])
                #expect(status == .unprocessableEntity && body.contains("tidak dapat dinonaktifkan"))
                (status, body, _) = try await browser.post("/petugas/admin/unit/63/dinkes/nonaktifkan", [:])
                #expect(status == .unprocessableEntity && body.contains("sub-unit yang masih aktif"))
                (status, body, _) = try await browser.post("/petugas/admin/unit/63/dinkes/nama", ["name": "  "])
                #expect(status == .unprocessableEntity && body.contains(#"-error""#) && body.contains(#"aria-invalid="true""#))
                #expect(try await browser.post("/petugas/admin/unit/63/tidak-ada/nama", ["name": "X"]).0 == .notFound)
                #expect(try await snapshot(app) == before)
            }
        }
    }
}

// MARK: - Users

extension AdminPages {
    @Suite("officers and their roles")
    struct AdminUserTests {
        @Test("create an officer, add and remove roles, lock-out and two-factor reset, deactivate and reactivate; each change audited")
        func accountLifecycle() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                try await browser.get("/petugas/admin/pengguna")
                var (status, body, location) = try await browser.post("/petugas/admin/pengguna", [
                    "username": "rina.dinkes", "display_name": "Rina", "email": "rina@kalselprov.go.id", "password": "password-rina.dinkes",
                    "role": "liaison", "scope": "63/dinkes"])
                #expect(status == .seeOther && location == "/petugas/admin/pengguna/rina.dinkes?ok=user_create", "\(body.prefix(300))")
                let user = try #require(try await User.query(on: app.db).filter(\.$username == "rina.dinkes").first())
                #expect(try app.password.verify("password-rina.dinkes", created: user.passwordHash))
                #expect(try await UserRole.query(on: app.db).filter(\.$user.$id == user.requireID()).all().map { "\($0.role)@\($0.scope)" } == ["liaison@63/dinkes"])
                #expect(try await audits(app, "user_create").first?.actor == "admin")
                _ = try await app.login("rina.dinkes")   // the new officer can sign in

                (status, _, _) = try await browser.post("/petugas/admin/pengguna/rina.dinkes/peran", ["role": "unit_head", "scope": "63/rsud-ulin"])
                #expect(status == .seeOther)
                var roles = try await UserRole.query(on: app.db).filter(\.$user.$id == user.requireID()).all()
                #expect(Set(roles.map { "\($0.role)@\($0.scope)" }) == ["liaison@63/dinkes", "unit_head@63/rsud-ulin"])
                let head = try #require(roles.first { $0.role == "unit_head" })
                (status, _, _) = try await browser.post("/petugas/admin/pengguna/rina.dinkes/peran/\(head.id!)/hapus", [:])
                #expect(status == .seeOther)
                roles = try await UserRole.query(on: app.db).filter(\.$user.$id == user.requireID()).all()
                #expect(roles.map(\.role) == ["liaison"])

                // Three wrong sign-ins and enrolled in two-factor: the list and the page say so, and the buttons clear both.
                for _ in 0..<3 {
                    try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                        try req.content.encode(["username": "rina.dinkes", "password": "salah-salah"])
                    }, afterResponse: { res in #expect(res.status == .unauthorized) })
                }
                user.totpSealed = try app.secrets.sealTOTP("JBSWY3DPEHPK3PXP")
                try await user.update(on: app.db)
                let (_, list) = try await browser.get("/petugas/admin/pengguna")
                #expect(list.contains("rina.dinkes") && list.contains("Pejabat penghubung · 63/dinkes") && list.contains("Ya"))
                let (_, detail) = try await browser.get("/petugas/admin/pengguna/rina.dinkes")
                #expect(detail.contains("/buka-kunci") && detail.contains("/reset-2fa") && detail.contains("Terdaftar") && detail.contains("<dd>3</dd>"))
                (status, _, _) = try await browser.post("/petugas/admin/pengguna/rina.dinkes/buka-kunci", [:])
                (status, _, _) = try await browser.post("/petugas/admin/pengguna/rina.dinkes/reset-2fa", [:])
                #expect(status == .seeOther)
                let cleared = try #require(try await User.find(user.id, on: app.db))
                #expect(cleared.totpSealed == nil && cleared.recoveryCodes == nil)
                #expect(try await SecretLimiter.counter(SecretSubject.stored(.signIn, SecretSubject.officer("rina.dinkes")), on: app.db) == nil)
                #expect(try await audits(app, "user_unlock").count == 1)
                #expect(try await audits(app, "totp_reset").first?.detail == "rina.dinkes")

                // Deactivated: signed out everywhere and refused at sign-in; reactivated: back in.
                let rina = try await signedIn(app, "rina.dinkes")
                #expect(try await rina.get("/petugas").0 == .ok)
                (status, _, _) = try await browser.post("/petugas/admin/pengguna/rina.dinkes/nonaktifkan", [:])
                #expect(status == .seeOther)
                #expect(try await rina.get("/petugas").0 == .seeOther)
                try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                    try req.content.encode(["username": "rina.dinkes", "password": "password-rina.dinkes"])
                }, afterResponse: { res in #expect(res.status == .unauthorized) })
                (status, _, _) = try await browser.post("/petugas/admin/pengguna/rina.dinkes/aktifkan", [:])
                _ = try await app.login("rina.dinkes")
                #expect(try await audits(app, "user_deactivate").count == 1)
                #expect(try await audits(app, "user_reactivate").count == 1)
            }
        }

        @Test("bad input: 422, each error by its field, nothing changed; the last role stays; nobody deactivates themselves")
        func refusals() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                _ = try await app.createOfficer("koord", .coordinator, "63")
                let browser = try await signedIn(app, "admin")
                try await browser.get("/petugas/admin/pengguna")
                let before = try await snapshot(app)
                var (status, body, _) = try await browser.post("/petugas/admin/pengguna", [
                    "username": "x", "display_name": "", "email": "bukan-email", "password": "pendek", "role": "liaison", "scope": "63"])
                #expect(status == .unprocessableEntity)
                for id in ["username-error", "display_name-error", "email-error", "password-error", "scope-error"] { #expect(body.contains(#"id="\#(id)""#), "\(id)") }
                #expect(body.contains("satu unit, bukan pemerintah daerah"))
                (status, body, _) = try await browser.post("/petugas/admin/pengguna", [
                    "username": "koord", "display_name": "Lagi", "password": "kata-sandi-panjang", "role": "coordinator", "scope": "63/dinkes"])
                #expect(status == .unprocessableEntity && body.contains("sudah dipakai") && body.contains("satu pemerintah daerah, bukan unit"))
                (status, body, _) = try await browser.post("/petugas/admin/pengguna", [
                    "username": "baru", "display_name": "Baru", "password": "kata-sandi-panjang", "role": "superuser", "scope": "63/tidak-ada"])
                #expect(status == .unprocessableEntity && body.contains(#"id="role-error""#) && body.contains(#"id="scope-error""#))

                (status, body, _) = try await browser.post("/petugas/admin/pengguna/koord/peran", ["role": "coordinator", "scope": "63"])
                #expect(status == .unprocessableEntity && body.contains("sudah memegang peran"))
                let role = try #require(try await UserRole.query(on: app.db).filter(\.$role == "coordinator").first())
                (status, body, _) = try await browser.post("/petugas/admin/pengguna/koord/peran/\(role.id!)/hapus", [:])
                #expect(status == .unprocessableEntity && body.contains("setidaknya satu peran"))
                #expect(try await browser.post("/petugas/admin/pengguna/admin/nonaktifkan", [:]).0 == .forbidden)
                #expect(try await snapshot(app) == before)
            }
        }
    }
}

// MARK: - Categories

extension AdminPages {
    @Suite("categories")
    struct AdminCategoryTests {
        @Test("Open311 attributes: add, change by code, delete; checked before saving; audited; the service definition follows")
        func attributes() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                var (status, page) = try await browser.get("/petugas/admin/kategori")
                #expect(page.contains(#"<a href="/petugas/admin/kategori/kesehatan.rs/atribut">Nama dan atribut (Atribut Open311: 0)</a>"#))
                let path = "/petugas/admin/kategori/kesehatan.rs/atribut"
                (status, page) = try await browser.get(path)
                #expect(status == .ok && page.contains("belum memiliki atribut"))

                let before = try await snapshot(app)
                let bad: [([String: String], String)] = [
                    (["code": "ada spasi", "datatype": "string", "variable": "1", "description": "Ruang", "order": "1"], "code-error"),
                    (["code": "ruang", "datatype": "warna", "variable": "1", "description": "Ruang", "order": "1"], "datatype-error"),
                    (["code": "ruang", "datatype": "singlevaluelist", "variable": "1", "description": "Ruang", "order": "1"], "values-error"),
                    (["code": "ruang", "datatype": "number", "variable": "1", "description": "Ruang", "order": "1", "values": "a=b"], "values-error"),
                    (["code": "ruang", "datatype": "string", "variable": "1", "description": "", "order": "0"], "order-error"),
                    (["code": "ruang", "datatype": "string", "required": "1", "description": "Catatan", "order": "1"], "required-error"),
                ]
                for (form, error) in bad {
                    let (status, page, _) = try await browser.post(path, form)
                    #expect(status == .unprocessableEntity && page.contains(#"id="\#(error)""#), "\(form)")
                }
                #expect(try await snapshot(app) == before)

                var location: String?
                (status, _, location) = try await browser.post(path, ["code": "ruang", "datatype": "singlevaluelist", "variable": "1", "required": "1",
                                                                     "description": "Ruang perawatan", "order": "1", "values": "igd=IGD\nrawat-inap=Rawat inap"])
                #expect(status == .seeOther && location == path + "?ok=attribute_save")
                var (_, body) = try await app.get("/open311/v2/services/kesehatan.rs.json")
                var attributes = json(body)["attributes"] as? [[String: Any]] ?? []
                #expect(attributes.count == 1 && attributes[0]["required"] as? Bool == true && (attributes[0]["values"] as? [Any])?.count == 2)
                // Saving the same code again replaces it.
                (status, page) = try await browser.get(path + "?ubah=ruang")
                #expect(page.contains("igd=IGD") && page.contains("Ubah atribut"))
                _ = try await browser.post(path, ["code": "ruang", "datatype": "text", "variable": "1", "description": "Ruang mana?", "order": "2"])
                (_, body) = try await app.get("/open311/v2/services/kesehatan.rs.json")
                attributes = json(body)["attributes"] as? [[String: Any]] ?? []
                #expect(attributes.count == 1 && attributes[0]["datatype"] as? String == "text" && attributes[0]["required"] as? Bool == false)
                #expect(try await audits(app, "category_attribute_save").count == 2)

                (status, _, location) = try await browser.post(path + "/ruang/hapus", [:])
                #expect(status == .seeOther && location == path + "?ok=attribute_delete")
                #expect(try await audits(app, "category_attribute_delete").first?.detail == "kesehatan.rs ruang")
                (_, body) = try await app.get("/open311/v2/services/kesehatan.rs.json")
                #expect((json(body)["attributes"] as? [Any])?.isEmpty == true)
                #expect(try await browser.post(path + "/ruang/hapus", [:]).0 == .notFound)
                #expect(try await browser.get("/petugas/admin/kategori/tidak-ada/atribut").0 == .notFound)
            }
        }

        @Test("a category's names in both languages: saved, shown on English pages, in the API and in Open311 by Accept-Language; bad names change nothing")
        func names() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                var (_, page) = try await browser.get("/petugas/admin/kategori/kesehatan.rs/atribut?lang=en")
                #expect(page.contains(#"value="Pelayanan Rumah Sakit""#) && page.contains(#"value="Hospital Services""#))

                var (status, _, location) = try await browser.post("/petugas/admin/kategori/kesehatan.rs/nama",
                                                                   ["name": "  Rumah Sakit Umum ", "name_en": "Public Hospitals"])
                #expect(status == .seeOther && location == "/petugas/admin/kategori/kesehatan.rs/atribut?ok=category_names")
                (_, page) = try await browser.get("/petugas/admin/kategori?j=63&lang=en")
                #expect(page.contains("Public Hospitals") && !page.contains("Hospital Services"))
                let api = jsonArray(try await app.get("/api/v1/categories").1).first { $0["code"] as? String == "kesehatan.rs" }
                #expect(api?["name"] as? String == "Rumah Sakit Umum" && api?["name_en"] as? String == "Public Hospitals")
                func services(_ acceptLanguage: String?) async throws -> String {
                    var out = ""
                    try await app.testing().test(.GET, "/open311/v2/services.json", headers: acceptLanguage.map { ["Accept-Language": $0] } ?? [:],
                                                 afterResponse: { out = $0.body.string })
                    return out
                }
                #expect(try await services("fr;q=0.9, en-GB;q=0.8, id;q=0.1").contains(#""service_name":"Public Hospitals""#))
                let indonesian = try await services("en;q=0.2, id")
                #expect(indonesian.contains(#""service_name":"Rumah Sakit Umum""#) && !indonesian.contains("Public Hospitals"))
                #expect(try await services(nil).contains(#""service_name":"Rumah Sakit Umum""#))

                // An empty English name: English pages fall back to the Indonesian one.
                (status, _, _) = try await browser.post("/petugas/admin/kategori/kesehatan.rs/nama", ["name": "Rumah Sakit Umum", "name_en": " "])
                let renamed = try await Category.find("kesehatan.rs", on: app.db)
                #expect(status == .seeOther && renamed?.nameEn == nil)
                (_, page) = try await browser.get("/petugas/admin/kategori?j=63&lang=en")
                #expect(page.contains("Rumah Sakit Umum") && page.contains("no English name yet"))
                #expect(try await audits(app, "category_names").count == 2)

                let before = try await snapshot(app)
                var body: String
                (status, body, _) = try await browser.post("/petugas/admin/kategori/kesehatan.rs/nama", ["name": "  ", "name_en": "Typed English"])
                #expect(status == .unprocessableEntity && body.contains("Isi nama kategori") && body.contains(#"value="Typed English""#))
                (status, body, _) = try await browser.post("/petugas/admin/kategori/kesehatan.rs/nama?lang=en",
                                                           ["name": "Rumah Sakit", "name_en": String(repeating: "x", count: 121)])
                #expect(status == .unprocessableEntity && body.contains("at most 120 characters") && body.contains(#"id="category-name-en-error""#))
                (status, _, _) = try await browser.post("/petugas/admin/kategori/kesehatan.rs/nama", ["name": "Rumah\u{0007}Sakit", "name_en": ""])
                #expect(status == .unprocessableEntity)
                #expect(try await browser.post("/petugas/admin/kategori/tidak-ada/nama", ["name": "X"]).0 == .notFound)
                #expect(try await snapshot(app) == before)
            }
        }

        @Test("the default class and the default unit per jurisdiction change what the API says; a unit elsewhere is refused")
        func defaults() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                let (_, page) = try await browser.get("/petugas/admin/kategori?j=63")
                #expect(page.contains("Pelayanan Rumah Sakit") && page.contains(#"<option value="63/dinkes" selected>"#))

                var (status, _, location) = try await browser.post("/petugas/admin/kategori/kesehatan.rs/kelas", ["jurisdiction": "63", "resolution_class": "sederhana"])
                #expect(status == .seeOther && location == "/petugas/admin/kategori?j=63&ok=category_class")
                (status, _, _) = try await browser.post("/petugas/admin/kategori/kesehatan.rs/unit", ["jurisdiction": "63", "unit": "63/rsud-ulin"])
                #expect(status == .seeOther)
                (status, _, _) = try await browser.post("/petugas/admin/kategori/umum/unit", ["jurisdiction": "63.71", "unit": "63.71/diskominfo"])
                #expect(status == .seeOther)
                var categories = jsonArray(try await app.get("/api/v1/categories?jurisdiction=63").1)
                let rs = try #require(categories.first { $0["code"] as? String == "kesehatan.rs" })
                #expect(rs["resolution_class"] as? String == "sederhana" && rs["default_unit"] as? String == "63/rsud-ulin")
                categories = jsonArray(try await app.get("/api/v1/categories?jurisdiction=63.71").1)
                #expect(categories.first { $0["code"] as? String == "umum" }?["default_unit"] as? String == "63.71/diskominfo")

                (status, _, _) = try await browser.post("/petugas/admin/kategori/kesehatan.rs/unit", ["jurisdiction": "63", "unit": ""])
                #expect(status == .seeOther)
                categories = jsonArray(try await app.get("/api/v1/categories?jurisdiction=63").1)
                #expect(categories.first { $0["code"] as? String == "kesehatan.rs" }?["default_unit"] == nil)
                #expect(try await audits(app, "category_unit").count == 3)
                #expect(try await audits(app, "category_class").count == 1)

                let before = try await snapshot(app)
                var body: String
                (status, body, _) = try await browser.post("/petugas/admin/kategori/kesehatan/unit", ["jurisdiction": "63", "unit": "63.71/dinkes"])
                #expect(status == .unprocessableEntity && body.contains("Pilih unit aktif dari daerah ini"))
                (status, body, _) = try await browser.post("/petugas/admin/kategori/kesehatan/kelas", ["jurisdiction": "63", "resolution_class": "kilat"])
                #expect(status == .unprocessableEntity && body.contains(#"aria-invalid="true""#))
                #expect(try await browser.post("/petugas/admin/kategori/tidak-ada/kelas", ["resolution_class": "sederhana"]).0 == .notFound)
                #expect(try await snapshot(app) == before)
            }
        }
    }
}

// MARK: - Calendars

extension AdminPages {
    @Suite("calendars and holidays")
    struct AdminCalendarTests {
        @Test("working weekdays and time zone, one holiday added and deleted: the reference calendar follows")
        func weekAndHolidays() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                let (_, page) = try await browser.get("/petugas/admin/kalender/63?tahun=2026")
                #expect(page.contains("Idul Fitri 1447 H") && page.contains("Dari kalender nasional") && page.contains(#"name="day5" value="1" checked"#))

                var (status, body, _) = try await browser.post("/petugas/admin/kalender/63/hari-kerja",
                                                               ["day1": "1", "day2": "1", "day3": "1", "day4": "1", "day5": "1", "day6": "1", "time_zone": "Asia/Jakarta"])
                #expect(status == .seeOther, "\(body.prefix(200))")
                var calendar = try await app.reference.get(on: app.db).calendar(for: "63")
                #expect(calendar.workingWeekdays == [1, 2, 3, 4, 5, 6] && calendar.timeZone.identifier == "Asia/Jakarta")

                (status, _, _) = try await browser.post("/petugas/admin/kalender/63/libur", ["date": "2026-09-24", "name": "Hari Jadi Provinsi", "kind": "libur_daerah"])
                #expect(status == .seeOther)
                calendar = try await app.reference.get(on: app.db).calendar(for: "63")
                #expect(calendar.holidays.contains(LocalDate("2026-09-24")!))
                #expect(try await app.reference.get(on: app.db).calendar(for: "63.71").holidays.contains(LocalDate("2026-09-24")!) == false)
                let holiday = try #require(try await Holiday.query(on: app.db).filter(\.$name == "Hari Jadi Provinsi").first())
                #expect(holiday.jurisdictionCode == "63")
                (status, _, _) = try await browser.post("/petugas/admin/kalender/63/libur/\(holiday.id!)/hapus", [:])
                #expect(status == .seeOther)
                #expect(try await app.reference.get(on: app.db).calendar(for: "63").holidays.contains(LocalDate("2026-09-24")!) == false)
                for action in ["holiday_add", "holiday_delete", "calendar_week"] { #expect(try await audits(app, action).count == 1, "\(action)") }

                // A national holiday cannot be deleted through a jurisdiction's calendar.
                let national = try #require(try await Holiday.query(on: app.db).filter(\.$jurisdictionCode == nil).first())
                #expect(try await browser.post("/petugas/admin/kalender/63/libur/\(national.id!)/hapus", [:]).0 == .notFound)

                let before = try await snapshot(app)
                (status, body, _) = try await browser.post("/petugas/admin/kalender/63/hari-kerja", ["time_zone": "Europe/Paris"])
                #expect(status == .unprocessableEntity && body.contains(#"id="weekdays-error""#) && body.contains(#"id="time_zone-error""#))
                (status, body, _) = try await browser.post("/petugas/admin/kalender/63/libur", ["date": "2026-02-30", "name": "", "kind": "libur_kantor"])
                #expect(status == .unprocessableEntity && body.contains(#"id="date-error""#) && body.contains(#"id="name-error""#) && body.contains(#"id="kind-error""#))
                (status, body, _) = try await browser.post("/petugas/admin/kalender/nasional/libur", ["date": "2026-01-01", "name": "Tahun Baru", "kind": "libur_nasional"])
                #expect(status == .unprocessableEntity && body.contains("sudah menjadi hari libur"))
                #expect(try await snapshot(app) == before)
            }
        }

        @Test("CSV import into a kabupaten's calendar: added once, the same file again changes nothing, a changed name updates")
        func csvImport() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin6301", .sysadmin, "63.01")
                let browser = try await signedIn(app, "admin6301")
                try await browser.get("/petugas/admin/kalender/63.01")
                let file = "date,name,kind\n2026-06-20,Hari Jadi Kabupaten Tanah Laut,libur_daerah\n2026-06-21,\"Cuti Bersama Hari Jadi, Tanah Laut\",\n"
                var (status, body, location) = try await browser.upload("/petugas/admin/kalender/63.01/impor", filename: "tala.csv", file)
                #expect(status == .seeOther && location == "/petugas/admin/kalender/63.01?tahun=2026&ok=holiday_import&added=2&updated=0&unchanged=0", "\(body.prefix(300))")
                let (_, page) = try await browser.get(location!)
                #expect(page.contains("Impor selesai: 2 ditambahkan, 0 diperbarui, 0 tidak berubah.") && page.contains("Cuti Bersama Hari Jadi, Tanah Laut"))
                let rows = try await Holiday.query(on: app.db).filter(\.$jurisdictionCode == "63.01").sort(\.$date).all()
                #expect(rows.map(\.kind) == ["libur_daerah", "libur_daerah"])   // no kind in the file: a local holiday
                #expect(try await app.reference.get(on: app.db).calendar(for: "63.01").holidays.contains(LocalDate("2026-06-21")!))

                let before = try await snapshot(app)
                (status, _, location) = try await browser.upload("/petugas/admin/kalender/63.01/impor", filename: "tala.csv", file)
                #expect(status == .seeOther && location?.hasSuffix("added=0&updated=0&unchanged=2") == true)
                #expect(try await snapshot(app) == before)

                (status, _, location) = try await browser.upload("/petugas/admin/kalender/63.01/impor", filename: "tala.csv",
                                                                 file.replacingOccurrences(of: "Kabupaten Tanah Laut", with: "Tanah Laut ke-61"))
                #expect(location?.hasSuffix("added=0&updated=1&unchanged=1") == true)
                #expect(try await audits(app, "holiday_import").count == 2)
            }
        }

        @Test("an iCalendar file into the national list: multi-day events become several days for every jurisdiction")
        func iCalendarImport() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                try await browser.get("/petugas/admin/kalender/nasional")
                let ics = """
                BEGIN:VCALENDAR\r
                VERSION:2.0\r
                BEGIN:VEVENT\r
                DTSTART;VALUE=DATE:20270310\r
                DTEND;VALUE=DATE:20270313\r
                SUMMARY:Idul Fitri 1448 H dan cuti bersama\\, nasional\r
                END:VEVENT\r
                END:VCALENDAR\r

                """
                let (status, body, location) = try await browser.upload("/petugas/admin/kalender/nasional/impor", filename: "libur-2027.ics", ics)
                #expect(status == .seeOther && location?.contains("added=3") == true, "\(body.prefix(300))")
                let rows = try await Holiday.query(on: app.db).filter(\.$jurisdictionCode == nil).filter(\.$date >= "2027-01-01").sort(\.$date).all()
                #expect(rows.map(\.date) == ["2027-03-10", "2027-03-11", "2027-03-12"])
                #expect(rows.allSatisfy { $0.name == "Idul Fitri 1448 H dan cuti bersama, nasional" && $0.kind == "libur_nasional" })
                let reference = try await app.reference.get(on: app.db)
                #expect(reference.calendar(for: "63.71").holidays.contains(LocalDate("2027-03-12")!))
            }
        }

        @Test("a file with errors: 422, every problem with its line, nothing imported")
        func importErrors() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                try await browser.get("/petugas/admin/kalender/63")
                let before = try await snapshot(app)
                var (status, body, _) = try await browser.upload("/petugas/admin/kalender/63/impor", filename: "salah.csv",
                                                                 "date,name,kind\n2026-07-01,Baik,libur_daerah\n2026-13-01,Bulan salah,libur_daerah\n2026-07-03,,libur_kantor\n")
                #expect(status == .unprocessableEntity)
                #expect(body.contains("Baris 3: “2026-13-01” bukan tanggal yang benar.") && body.contains("Baris 4: nama hari libur kosong."))
                #expect(body.contains("Baris 4: jenis “libur_kantor” tidak dikenal"))
                (status, body, _) = try await browser.upload("/petugas/admin/kalender/63/impor?lang=en", filename: "salah.ics",
                                                             "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260701T080000\nSUMMARY:Rapat\nEND:VEVENT\nEND:VCALENDAR\n")
                #expect(status == .unprocessableEntity && body.contains("Line 3: “20260701T080000” has a time"))
                (status, body, _) = try await browser.upload("/petugas/admin/kalender/63/impor", filename: "kosong.csv", "")
                #expect(status == .unprocessableEntity && body.contains("Pilih berkas"))
                #expect(try await snapshot(app) == before)
            }
        }
    }
}

// MARK: - Settings

extension AdminPages {
    @Suite("settings")
    struct AdminSettingsTests {
        static func policyForm(_ changes: [String: String] = [:]) -> [String: String] {
            var form = Dictionary(uniqueKeysWithValues: Policy.Number.all.map { ($0.name, String(Policy()[$0])) })
            form["default_resolution_class"] = "tanpa_pemeriksaan"
            form.merge(changes) { _, new in new }
            return form
        }

        @Test("the deadline policy is saved as the `policy` setting and used at once; bad numbers save nothing")
        func policy() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                let (_, page) = try await browser.get("/petugas/admin/pengaturan")
                #expect(page.contains(#"name="verification_days""#) && page.contains(#"value="60""#) && page.contains("ADUAN_MAX_ATTACHMENT_MB"))
                #expect(page.contains("Tidak diatur: pesan hanya ditulis ke log."))

                var (status, body, _) = try await browser.post("/petugas/admin/pengaturan/tenggat",
                                                               Self.policyForm(["verification_days": "4", "resolution_days_sederhana": "7", "max_extension_days": "0",
                                                                                "default_resolution_class": "sederhana"]))
                #expect(status == .seeOther, "\(body.prefix(300))")
                let stored = try #require(try await Setting.find("policy", on: app.db))
                let policy = try JSONDecoder().decode(Policy.self, from: Data(stored.value.utf8))
                #expect(policy.verificationDays == 4 && policy.days(for: .sederhana) == 7 && policy.maxExtensionDays == 0 && policy.defaultResolutionClass == .sederhana)
                #expect(try await app.reference.get(on: app.db).policy == policy)
                #expect(try await audits(app, "policy_update").first?.actor == "admin")

                let before = try await snapshot(app)
                (status, body, _) = try await browser.post("/petugas/admin/pengaturan/tenggat",
                                                           Self.policyForm(["verification_days": "0", "response_days": "lima", "escalate_to_coordinator_after_days": "9",
                                                                            "escalate_to_inspectorate_after_days": "3", "default_resolution_class": "kilat"]))
                #expect(status == .unprocessableEntity)
                for id in ["verification_days-error", "response_days-error", "escalate_to_inspectorate_after_days-error", "default_resolution_class-error"] {
                    #expect(body.contains(#"id="\#(id)""#), "\(id)")
                }
                #expect(body.contains("dari 1 sampai 365") && body.contains(#"value="lima""#) && body.contains("Tidak ada yang disimpan"))
                #expect(try await snapshot(app) == before)
            }
        }

        @Test("roles that must use two-factor are stored as a JSON array of role codes under totp_required_roles")
        func twoFactorRoles() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                try await browser.get("/petugas/admin/pengaturan")
                var (status, _, _) = try await browser.post("/petugas/admin/pengaturan/keamanan", ["role_inspector": "1", "role_coordinator": "1"])
                #expect(status == .seeOther)
                #expect(try await Setting.find("totp_required_roles", on: app.db)?.value == #"["coordinator","inspector"]"#)
                let (_, page) = try await browser.get("/petugas/admin/pengaturan")
                #expect(page.contains(#"name="role_coordinator" value="1" checked"#) && !page.contains(#"name="role_liaison" value="1" checked"#))
                (status, _, _) = try await browser.post("/petugas/admin/pengaturan/keamanan", [:])
                #expect(try await Setting.find("totp_required_roles", on: app.db)?.value == "[]")
                // Requiring it for sysadmins applies at once: this admin, not enrolled, is sent to enrolment.
                (status, _, _) = try await browser.post("/petugas/admin/pengaturan/keamanan", ["role_sysadmin": "1"])
                #expect(status == .seeOther)
                #expect(try await browser.get("/petugas/admin/pengaturan").0 == .seeOther)
                #expect(try await audits(app, "totp_roles_update").count == 3)
            }
        }
    }
}

// MARK: - API keys

extension AdminPages {
    @Suite("API keys")
    struct AdminAPIKeyTests {
        @Test("create (the key shown once), edit scopes, scope and limit, revoke; each change audited and in force at once")
        func keyLifecycle() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let browser = try await signedIn(app, "admin")
                var (status, page) = try await browser.get("/petugas/admin/kunci-api")
                #expect(status == .ok && page.contains("Belum ada kunci API") && page.contains(#"aria-current="page""#))

                var body: String
                (status, body, _) = try await browser.post("/petugas/admin/kunci-api", ["name": "Sistem Dinkes", "s_read-scope": "1", "s_act": "1",
                                                                                         "scope": "63/dinkes", "rate_limit": "5"])
                #expect(status == .created, "\(body.prefix(400))")
                let shown = try #require(body.range(of: #"id="apikey-value">"#).map { String(body[$0.upperBound...].prefix { $0 != "<" }) })
                #expect(shown.hasPrefix("aduan_"))
                let row = try #require(try await APIKey.query(on: app.db).filter(\.$name == "Sistem Dinkes").first())
                #expect(row.keyHash == Secrets.sha256(shown) && row.scopes == "read-scope,act" && row.scope == "63/dinkes" && row.rateLimit == 5)
                #expect(try await audits(app, "apikey_create").first?.actor == "admin")
                // Listed without the key; the key is never shown again.
                (status, page) = try await browser.get("/petugas/admin/kunci-api")
                #expect(page.contains("Sistem Dinkes") && page.contains("read-scope, act") && page.contains("5 per menit") && !page.contains(shown))
                let keyPage = "/petugas/admin/kunci-api/\(row.id!.uuidString.lowercased())"
                (status, page) = try await browser.get(keyPage)
                #expect(status == .ok && !page.contains(shown) && page.contains("apikey:\(row.id!.uuidString.lowercased())"))

                // The key works, is counted, and its day shows on the usage view.
                let koord = try await app.createOfficer("koord", .coordinator, "63")
                let s = try await app.submit()
                _ = try await app.act(koord, s.tracking_id, "verify", ["unit": "63/dinkes"])
                #expect(try await app.send(.GET, "/api/v1/complaints/\(s.tracking_id)", headers: ["X-API-Key": shown]).0 == .ok)
                #expect(try await app.send(.GET, "/api/v1/categories", headers: ["X-API-Key": shown]).0 == .forbidden)
                (_, page) = try await browser.get(keyPage)
                // Days in words (issue 19, fix 8): "7 Desember 2026", not 2026-12-07.
                let today = try #require(LocalDate(APIKeys.localDay(app.clock.now, timeZone: WorkingCalendar.wita)))
                let months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
                #expect(page.contains(#"<tr><th scope="row">\#(today.day) \#(months[today.month - 1]) \#(today.year)</th><td>1</td><td>1</td></tr>"#), "\(page)")
                let dayRows = try NSRegularExpression(pattern: #"<tr><th scope="row">\d{1,2} [A-Z][a-z]+ \d{4}</th>"#)
                #expect(dayRows.numberOfMatches(in: page, range: NSRange(page.startIndex..., in: page)) == 30)

                // Edit: only read-public now, no scope, unlimited.
                var location: String?
                (status, body, location) = try await browser.post(keyPage, ["s_read-public": "1", "scope": "", "rate_limit": "0"])
                #expect(status == .seeOther && location == keyPage + "?ok=apikey_update")
                var stored = try await app.storedKey(row.id!)
                #expect(stored.scopes == "read-public" && stored.scope == nil && stored.rateLimit == 0)
                #expect(try await audits(app, "apikey_update").count == 1)
                #expect(try await app.send(.GET, "/api/v1/categories", headers: ["X-API-Key": shown]).0 == .ok)
                // The same form again changes nothing and writes no audit entry.
                _ = try await browser.post(keyPage, ["s_read-public": "1", "scope": "", "rate_limit": "0"])
                #expect(try await audits(app, "apikey_update").count == 1)

                // Revoke: the key is refused at once, on the API and on Open311.
                (status, _, location) = try await browser.post(keyPage + "/cabut", [:])
                #expect(status == .seeOther && location == keyPage + "?ok=apikey_revoke")
                stored = try await app.storedKey(row.id!)
                let revokes = try await audits(app, "apikey_revoke").count
                #expect(!stored.active && revokes == 1)
                #expect(try await app.send(.GET, "/api/v1/categories", headers: ["X-API-Key": shown]).0 == .forbidden)
                #expect(try await app.get("/open311/v2/services.json?api_key=\(shown)").0 == .forbidden)
                (_, page) = try await browser.get(keyPage)
                #expect(page.contains("Dicabut") && !page.contains(keyPage + "/cabut"))
                #expect(try await browser.post(keyPage, ["s_submit": "1", "rate_limit": "9"]).0 == .conflict)
            }
        }

        @Test("bad input: 422, each error by its field, nothing created or changed")
        func refusals() async throws {
            try await TestHarness.withApp { app in
                _ = try await app.createOfficer("admin", .sysadmin, "63")
                let key = try await APIKeys.create(app, name: "Ada", scopes: [.submit])
                let browser = try await signedIn(app, "admin")
                try await browser.get("/petugas/admin/kunci-api")
                let before = try await snapshot(app)
                let cases: [([String: String], String)] = [
                    (["name": "", "s_submit": "1"], "name-error"),
                    (["name": "Tanpa cakupan"], "scopes-error"),
                    (["name": "Baca", "s_read-scope": "1"], "scope-error"),
                    (["name": "Aksi", "s_act": "1", "scope": "63"], "scope-error"),
                    (["name": "Tak dikenal", "s_read-scope": "1", "scope": "63/tidak-ada"], "scope-error"),
                    (["name": "Kirim", "s_submit": "1", "scope": "63"], "scope-error"),
                    (["name": "Batas", "s_submit": "1", "rate_limit": "-1"], "rate_limit-error"),
                    (["name": "Batas", "s_submit": "1", "rate_limit": "banyak"], "rate_limit-error"),
                ]
                for (form, error) in cases {
                    let (status, page, _) = try await browser.post("/petugas/admin/kunci-api", form)
                    #expect(status == .unprocessableEntity && page.contains(#"id="\#(error)""#), "\(form)")
                    #expect(!page.contains("apikey-value"))
                }
                let keyPage = "/petugas/admin/kunci-api/\(key.id.uuidString.lowercased())"
                let (status, page, _) = try await browser.post(keyPage, ["s_act": "1", "scope": "63/dinkes", "rate_limit": "100001"])
                #expect(status == .unprocessableEntity && page.contains(#"id="rate_limit-error""#) && !page.contains(#"id="scope-error""#))
                #expect(try await browser.get("/petugas/admin/kunci-api/\(UUID().uuidString)").0 == .notFound)
                #expect(try await browser.get("/petugas/admin/kunci-api/bukan-uuid").0 == .notFound)
                #expect(try await snapshot(app) == before)
            }
        }
    }
}

// MARK: - Templates

extension AdminPages {
    @Suite("templates render from their view models")
    struct AdminTemplateTests {
        typealias A = AdminController
        static let nav = [A.NavLink(href: "/petugas/admin", label: "Ringkasan", here: true), A.NavLink(href: "/petugas/admin/pengguna", label: "Pengguna", here: false)]
        static let option = [Choice(value: "63", label: "Provinsi <Kalsel>", selected: true)]

        /// No inline script or style (the CSP forbids them), and every form carries the token.
        func checkSafe(_ html: String) {
            #expect(!html.contains("<script>") && !html.contains("style="))
            #expect(html.components(separatedBy: #"method="post""#).count == html.components(separatedBy: #"name="_csrf" value="test-csrf""#).count)
        }

        @Test("overview and organisation: links, the tree, errors next to the field and in the row")
        func homeAndOrganisation() async throws {
            try await TestHarness.withApp { app in
                let home = try await render(app, "admin_home", A.HomeView(nav: Self.nav, jurisdictions: ["Provinsi Kalimantan Selatan (63)"],
                                                                          entries: [.init(href: "/petugas/admin/pengguna", title: "Pengguna", text: "Akun")]))
                #expect(home.contains(#"<a href="/petugas/admin" aria-current="page">Ringkasan</a>"#) && home.contains("tidak menampilkan isi laporan"))
                checkSafe(home)

                let row = A.OrganisationView.UnitRow(id: "63/dinkes", name: "Dinas <Kesehatan>", kind: "Perangkat daerah (OPD)", depth: 1, active: true,
                                                     parentName: "Setda", index: 4, renameAction: "/petugas/admin/unit/63/dinkes/nama",
                                                     toggleAction: "/petugas/admin/unit/63/dinkes/nonaktifkan", blockedReason: nil,
                                                     renameError: "Nama wajib diisi.", toggleError: nil)
                var blocked = row
                blocked.id = "63/diskominfo"; blocked.index = 0; blocked.blockedReason = "tetap aktif"; blocked.renameError = nil
                let view = A.OrganisationView(nav: Self.nav, jurisdictions: [.init(href: "/petugas/admin/organisasi/63", name: "Provinsi", code: "63", depth: 0, here: true)],
                                              code: "63", name: "Provinsi", units: [blocked, row], createAction: "/petugas/admin/organisasi/63",
                                              kinds: [.init(value: "agency", label: "OPD", selected: true)], parents: [],
                                              values: ["slug": "Bad Slug"], errors: ["slug": "Kode tidak sah"], message: "Unit dibuat.")
                let html = try await render(app, "admin_organisation", view)
                #expect(html.contains("Dinas &lt;Kesehatan&gt;") && html.contains(#"class="depth-1""#))
                #expect(html.contains(#"id="rename-4-error""#) && html.contains(#"aria-describedby="rename-4-error""#))
                #expect(html.contains(#"id="slug-error""#) && html.contains(#"value="Bad Slug""#) && html.contains("Kode tidak sah"))
                #expect(html.contains("tetap aktif") && html.contains(#"action="/petugas/admin/unit/63/dinkes/nonaktifkan""#))
                #expect(!html.contains(#"action="/petugas/admin/unit/63/diskominfo/nonaktifkan""#))
                #expect(html.contains(#"<th scope="row""#) && html.contains(#"role="status""#))
                checkSafe(html)
                let english = try await render(app, "admin_organisation", view, lang: .en)
                #expect(english.contains("Add a unit or sub-unit") && english.contains("Rename"))
            }
        }

        @Test("users and one user: the columns, the role form with its errors, buttons only where they apply")
        func users() async throws {
            try await TestHarness.withApp { app in
                let list = A.UsersView(nav: Self.nav, rows: [.init(username: "rina", href: "/petugas/admin/pengguna/rina", name: "Rina", email: nil, active: false,
                                                                   roles: ["Pejabat penghubung · 63/dinkes"], lockedUntil: "1 Apr 2026 09:00 WITA", twoFactor: true)],
                                       hasRows: true, createAction: "/petugas/admin/pengguna", roles: [.init(value: "liaison", label: "Pejabat penghubung", selected: true)],
                                       scopes: [.init(label: "Pemerintah daerah", options: Self.option)], values: ["username": "x<y"],
                                       errors: ["username": "salah", "scope": "di luar"], message: nil)
                let html = try await render(app, "admin_users", list)
                #expect(html.contains(#"<a href="/petugas/admin/pengguna/rina">rina</a>"#) && html.contains("1 Apr 2026 09:00 WITA") && html.contains("Nonaktif"))
                #expect(html.contains(#"id="username-error""#) && html.contains(#"id="scope-error""#) && html.contains(#"value="x&lt;y""#))
                #expect(html.contains(#"<optgroup label="Pemerintah daerah">"#) && html.contains("Provinsi &lt;Kalsel&gt;"))
                checkSafe(html)

                var one = A.UserView(nav: Self.nav, username: "rina", name: "Rina", email: "rina@example.org", active: true, twoFactor: true, lockedUntil: nil,
                                     failedLogins: 0, created: "1 Jan 2026", lastLogin: nil, isSelf: false,
                                     assignments: [.init(label: "Pejabat penghubung", scope: "63/dinkes", scopeName: "Dinas Kesehatan", removeAction: nil)],
                                     addRoleAction: "/petugas/admin/pengguna/rina/peran", roles: [], scopes: [], values: [:], errors: [:],
                                     toggleAction: "/petugas/admin/pengguna/rina/nonaktifkan", unlockAction: nil,
                                     resetAction: "/petugas/admin/pengguna/rina/reset-2fa", message: nil, error: "Setiap petugas memegang setidaknya satu peran.")
                var page = try await render(app, "admin_user", one)
                #expect(page.contains("/reset-2fa") && !page.contains("/buka-kunci") && page.contains("/nonaktifkan") && page.contains(#"role="alert""#))
                one.isSelf = true
                page = try await render(app, "admin_user", one, lang: .en)
                #expect(!page.contains("/nonaktifkan") && page.contains("your own account"))
                checkSafe(page)
            }
        }

        @Test("categories, calendar and settings pages")
        func otherPages() async throws {
            try await TestHarness.withApp { app in
                let row = A.CategoriesView.Row(code: "kesehatan", name: "Kesehatan", depth: 0, index: 0, missingEnglish: false, resolutionClass: "Sederhana",
                                               classes: [.init(value: "sederhana", label: "Sederhana", selected: true)], classAction: "/petugas/admin/kategori/kesehatan/kelas",
                                               classError: nil, unitName: nil, units: [], unitAction: "/petugas/admin/kategori/kesehatan/unit", unitError: "Pilih unit",
                                               attributesHref: "/petugas/admin/kategori/kesehatan/atribut", attributeCount: 2)
                var categories = A.CategoriesView(nav: Self.nav, jurisdictions: Self.option, filterAction: "/petugas/admin/kategori", code: "63", name: "Provinsi",
                                                  canEditClass: true, rows: [row], message: nil)
                var html = try await render(app, "admin_categories", categories)
                #expect(html.contains(#"action="/petugas/admin/kategori/kesehatan/kelas""#) && html.contains(#"id="unit-0-error""#))
                checkSafe(html)
                categories.canEditClass = false
                html = try await render(app, "admin_categories", categories)
                #expect(!html.contains("/kelas") && html.contains("hanya dapat diubah administrator seluruh instalasi"))

                let calendar = A.CalendarView(
                    nav: Self.nav, calendars: [.init(href: "/petugas/admin/kalender/63", label: "Provinsi", here: true)], label: "Provinsi",
                    week: .init(action: "/petugas/admin/kalender/63/hari-kerja", days: [.init(value: 1, label: "Senin", checked: true)],
                                timeZones: [.init(value: "Asia/Makassar", label: "Asia/Makassar", selected: true)], errors: ["weekdays": "Pilih hari"]),
                    year: 2026, years: [.init(href: "/petugas/admin/kalender/63?tahun=2026", label: "2026", here: true)],
                    rows: [.init(date: "Kamis, 1 Januari 2026", iso: "2026-01-01", name: "Tahun Baru", kind: "Libur nasional", deleteAction: nil)],
                    hasRows: true, addAction: "/petugas/admin/kalender/63/libur", kinds: [], values: ["name": "<b>"], errors: ["date": "Tanggal salah"],
                    importAction: "/petugas/admin/kalender/63/impor", importErrors: ["Baris 3: salah"], hasImportErrors: true, importHint: "CSV atau iCalendar",
                    message: nil)
                html = try await render(app, "admin_calendar", calendar)
                #expect(html.contains(#"<time datetime="2026-01-01">"#) && html.contains("Dari kalender nasional") && html.contains(#"id="weekdays-error""#))
                #expect(html.contains(#"id="date-error""#) && html.contains("&lt;b&gt;") && html.contains("Baris 3: salah"))
                #expect(html.contains(#"enctype="multipart/form-data""#) && html.contains(#"name="day1" value="1" checked"#))
                checkSafe(html)

                let settings = A.SettingsView(nav: Self.nav, groups: [.init(legend: "Tenggat", fields: [
                    .init(name: "verification_days", label: "Verifikasi", value: "0", min: 1, max: 365, error: "Masukkan bilangan bulat dari 1 sampai 365."),
                ])], classes: [], classError: nil, hasPolicyErrors: true, policyAction: "/petugas/admin/pengaturan/tenggat",
                    roles: [.init(name: "role_sysadmin", label: "Administrator sistem", checked: true)], securityAction: "/petugas/admin/pengaturan/keamanan",
                    maxAttachmentMB: 10, maxAttachments: 5, mail: .init(server: "smtp.kalselprov.go.id:587 (starttls)", from: "noreply@kalselprov.go.id"), message: nil)
                html = try await render(app, "admin_settings", settings)
                #expect(html.contains(#"id="verification_days-error""#) && html.contains(#"min="1" max="365""#) && html.contains("smtp.kalselprov.go.id:587"))
                #expect(html.contains(#"name="role_sysadmin" value="1" checked"#) && html.contains("10 MB"))
                checkSafe(html)
            }
        }
    }
}
