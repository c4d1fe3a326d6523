import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

// Issue 19, "location on a map": the pin from the citizen form, checked by the server; the tile server as a setting,
// whose origin (and only it) the Content-Security-Policy lets images come from; the exact pin for officers, the
// rounded one on the public side and none for confidential reports.

@Suite("Location on a map (issue 19)")
struct MapPageTests {
    static let fields: [(String, String)] = [("type", "pengaduan"), ("title", "Jalan berlubang"), ("jurisdiction", "63"),
                                             ("address", "Jl. A. Yani km 5"),
                                             ("body", "Jalan di depan pasar rusak parah dan berlubang sejak bulan lalu.")]

    func csp(_ app: Application, _ path: String = "/lapor") async throws -> String {
        var header = ""
        try await app.testing().test(.GET, path, afterResponse: { res in header = res.headers.first(name: "Content-Security-Policy") ?? "" })
        return header
    }

    @Test("the form's pin is stored; a pin that is not a number, out of range or half given is refused in the page's language and nothing is stored")
    func formPin() async throws {
        try await TestHarness.withApp { app in
            let visitor = Browser(app)
            var (status, page) = try await visitor.get("/lapor")
            #expect(status == .ok && page.contains(#"name="lat" id="lat" value="""#) && page.contains(#"id="map-picker" hidden"#))
            #expect(page.contains(#"data-template="https://tile.openstreetmap.org/{z}/{x}/{y}.png""#))
            #expect(page.contains(#"<script src="/js/map.js" defer></script>"#))
            let before = try await Complaint.query(on: app.db).count()
            for (lat, lng) in [("abc", "114.59"), ("-3.3", ""), ("95", "114.59"), ("-3.3", "200")] {
                let (posted, body, _) = try await visitor.multipart("/lapor", Self.fields + [("lat", lat), ("lng", lng)])
                #expect(posted == .unprocessableEntity, "\(lat),\(lng)")
                #expect(body.contains("Titik di peta tidak dapat dibaca"), "\(lat),\(lng)")
                #expect(body.contains(##"<li><a href="#location">"##) && body.components(separatedBy: ##"href="#location""##).count == 2, "one line for the pin")
                #expect(body.contains(#"value="Jalan berlubang""#), "the typed title is kept")
            }
            #expect(try await Complaint.query(on: app.db).count() == before, "nothing stored on bad input")
            visitor.cookies[Language.cookie] = "en"
            let (posted, body, _) = try await visitor.multipart("/lapor", Self.fields + [("lat", "x"), ("lng", "y")])
            #expect(posted == .unprocessableEntity && body.contains("The pin on the map could not be read") && !body.contains("lat is not a number"))

            let (sent, _, _) = try await visitor.multipart("/lapor", Self.fields + [("lat", "-3.3194499"), ("lng", "114.5908501")])
            #expect(sent == .seeOther)
            let stored = try #require(try await Complaint.query(on: app.db).sort(\.$submittedAt, .descending).first())
            #expect(stored.lat == -3.3194499 && stored.lng == 114.5908501 && stored.address == "Jl. A. Yani km 5")

            // Without a pin (no JavaScript, or the map not used) the address alone is enough.
            let (plain, _, _) = try await visitor.multipart("/lapor", Self.fields + [("lat", ""), ("lng", "")])
            #expect(plain == .seeOther)
            (status, page) = try await visitor.get("/lapor")
            #expect(status == .ok)
        }
    }

    @Test("the Content-Security-Policy lets images come from the tile server's origin only, and follows the setting")
    func cspFollowsSetting() async throws {
        try await TestHarness.withApp { app in
            #expect(SecurityHeadersMiddleware.policy(tileOrigin: nil).contains("img-src 'self' data: blob:;"))
            var header = try await csp(app)
            #expect(header.contains("img-src 'self' data: blob: https://tile.openstreetmap.org;"), "\(header)")
            #expect(header.contains("script-src 'self';") && header.contains("default-src 'self';"))

            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let admin = try await Browser.officer(app, "admin")
            var (status, body, _) = try await admin.post("/petugas/admin/pengaturan/peta",
                                                         ["map_template": "http://127.0.0.1:8089/{z}/{x}/{y}.png", "map_attribution": "© OpenStreetMap contributors",
                                                          "map_lat": "-3,44", "map_lng": "114.83", "map_zoom": "13"])
            #expect(status == .seeOther, "\(body.prefix(400))")
            header = try await csp(app)
            #expect(header.contains("img-src 'self' data: blob: http://127.0.0.1:8089;") && !header.contains("openstreetmap"), "\(header)")
            var page: String
            (_, page) = try await Browser(app).get("/lapor")
            #expect(page.contains(#"data-template="http://127.0.0.1:8089/{z}/{x}/{y}.png""#) && page.contains(#"data-lat="-3.44""#)
                    && page.contains(#"data-zoom="13""#))

            // A bad template is refused beside its field, in the sysadmin's language, and the setting stays.
            (status, body, _) = try await admin.post("/petugas/admin/pengaturan/peta",
                                                     ["map_template": "https://tiles.example/{z}/{x}.png", "map_attribution": "",
                                                      "map_lat": "-3.4", "map_lng": "114.8", "map_zoom": "25"])
            #expect(status == .unprocessableEntity)
            #expect(body.contains(#"id="map_template-error""#) && body.contains("URL ubin harus diawali https://"))
            #expect(body.contains(#"id="map_attribution-error""#) && body.contains(#"id="map_zoom-error""#) && !body.contains(#"id="map_center-error""#))
            #expect(body.contains(#"value="https://tiles.example/{z}/{x}.png""#), "what was typed is kept")
            header = try await csp(app)
            #expect(header.contains("http://127.0.0.1:8089;"))

            // An empty tile URL turns maps off: no external image origin, no map on the form, the address field stays.
            (status, _, _) = try await admin.post("/petugas/admin/pengaturan/peta", ["map_template": "", "map_attribution": "", "map_lat": "", "map_lng": "", "map_zoom": ""])
            #expect(status == .seeOther)
            header = try await csp(app)
            #expect(header.contains("img-src 'self' data: blob:;"), "\(header)")
            (_, page) = try await Browser(app).get("/lapor")
            #expect(!page.contains("map-picker") && page.contains(#"id="address""#) && page.contains(#"name="lat""#))
            // The settings page shows maps off (no tile URL) with OpenStreetMap's other defaults, ready to turn them on.
            let (_, settings) = try await admin.get("/petugas/admin/pengaturan")
            #expect(settings.contains(#"name="map_template" type="url" inputmode="url" value="""#))
            #expect(settings.contains(#"name="map_zoom" type="number" inputmode="numeric" min="2" max="19" step="1" value="12""#))
            #expect(settings.contains(#"value="© OpenStreetMap contributors""#))
        }
    }

    @Test("officers see the exact pin on a drawn map; the public page and API see it rounded; a confidential report shows no pin publicly")
    func whoSeesWhat() async throws {
        try await TestHarness.withApp(env: TestHarness.publishAtSubmission) { app in
            let open = try await app.submit(["lat": -3.3194499, "lng": 114.5908501, "address": "Pasar Lama"])
            let secret = try await app.submit(["lat": -3.2871234, "lng": 114.6012345, "confidential": true])

            _ = try await app.createOfficer("koord", .coordinator, "63")
            let koord = try await Browser.officer(app, "koord")
            var (status, page) = try await koord.get("/petugas/aduan/\(open.tracking_id)")
            #expect(status == .ok && page.contains("-3.319450, 114.590850"))
            // Zoom 17: the tile holding the point (the wiki's formula: 107257, 66745) is drawn, and the pin in the middle.
            #expect(page.contains(#"href="https://tile.openstreetmap.org/17/107257/66745.png""#))
            #expect(page.contains(#"transform="translate(256.0 144.0)""#))
            #expect(page.contains("© OpenStreetMap contributors"))
            (status, page) = try await koord.get("/petugas/aduan/\(secret.tracking_id)")
            #expect(status == .ok && page.contains("-3.287123, 114.601235"), "officers see a confidential report's pin")

            (status, page) = try await Browser(app).get("/t/\(open.tracking_id)")
            #expect(status == .ok)
            #expect(page.contains(#"id="place-coordinates">-3.319, 114.591<"#) && !page.contains("-3.319450") && !page.contains("114.5908"))
            #expect(page.contains("dibulatkan") && page.contains("/15/"), "the rounded pin on a neighbourhood map")
            (status, page) = try await Browser(app).get("/t/\(secret.tracking_id)")
            #expect(status == .notFound && !page.contains("-3.287") && !page.contains("114.601"))

            var (apiStatus, json) = try await app.get("/api/v1/complaints/\(open.tracking_id)")
            #expect(apiStatus == .ok && json.contains("-3.319") && !json.contains("-3.3194499") && json.contains("114.591") && !json.contains("114.5908501"))
            (apiStatus, json) = try await app.get("/open311/v2/requests.json")
            #expect(apiStatus == .ok && json.contains("114.591") && !json.contains("114.5908501") && !json.contains("114.601"))
        }
    }
}
