import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// Renders a template from a view model, with the page chrome in one language, as `Request.page` does.
func render<Body: Encodable & Sendable>(_ app: Application, _ template: String, _ body: Body, lang: Language = .id) async throws -> String {
    let page = Page(lang: lang.rawValue, t: app.catalog.table(lang), csrf: "test-csrf", title: "Judul", path: "/", otherLang: "en",
                    otherLangName: "English", body: body)
    let view = try await app.view.render(template, page).get()
    return String(buffer: view.data)
}

@Suite("Portal templates render from their view models")
struct PortalTemplateTests {
    func form(_ app: Application, errors: [FieldError] = []) async throws -> ReportFormView {
        let reference = try await app.reference.get(on: app.db)
        let req = Request(application: app, on: app.eventLoopGroup.next())
        let input = ReportFormInput(type: "aspirasi", title: "Lampu <padam>", body: "pendek", incident_date: nil, jurisdiction: "63.71",
                                    address: nil, category: "kesehatan", target_unit: nil, anonymous: "1", confidential: nil,
                                    name: "Budi", email: "bukan", phone: nil, website: nil, attachments: nil)
        return ReportFormBuilder.view(req, reference: reference, input: errors.isEmpty ? nil : input, errors: errors)
    }

    @Test("home: figures, steps, tracking box and the form")
    func home() async throws {
        try await TestHarness.withApp { app in
            let html = try await render(app, "home", PortalController.HomeView(form: try await form(app),
                                                                                figures: .init(received: "12", completed: "5", inProgress: "7")))
            #expect(html.contains("<strong>12</strong>"))
            #expect(html.contains(#"action="/lacak""#))
            #expect(html.contains(#"name="_csrf" value="test-csrf""#))
            #expect(html.contains("Kalimantan Selatan") || html.contains("Kota Banjarmasin"))
            #expect(!html.contains("<script>")) // no inline script (CSP)
        }
    }

    @Test("the form keeps the input, escapes it, and puts each error next to its field")
    func formWithErrors() async throws {
        try await TestHarness.withApp { app in
            let view = try await form(app, errors: [FieldError("body", "x"), FieldError("reporter.email", "y")])
            let html = try await render(app, "report", PortalController.FormPage(form: view))
            #expect(html.contains(#"value="Lampu &lt;padam&gt;""#))
            #expect(html.contains(#"id="body-error""#) && html.contains("Isi laporan wajib diisi"))
            #expect(html.contains(#"id="email-error""#) && html.contains("Alamat e-mail tidak valid"))
            #expect(html.contains(#"<option value="63.71" selected>"#))
            #expect(html.contains(#"value="aspirasi" checked"#))
            #expect(html.contains(#"name="anonymous" value="1" checked"#))
            let english = try await render(app, "report", PortalController.FormPage(form: view), lang: .en)
            #expect(english.contains("This is not a valid e-mail address") == false) // messages were localised when built
            #expect(english.contains("Send report"))
        }
    }

    @Test("confirmation, look-up, tracking (public and private) and error pages")
    func otherPages() async throws {
        try await TestHarness.withApp { app in
            let sent = try await render(app, "sent", PortalController.SentView(trackingID: "7KQ2MX9PJ", formattedID: "7KQ2-MX9PJ",
                                                                               link: "http://x/t/7KQ2MX9PJ?s=abc", pin: "123456",
                                                                               verificationDue: "Rabu, 25 Maret 2026", state: "Belum terverifikasi"))
            #expect(sent.contains("7KQ2-MX9PJ") && sent.contains("123456") && sent.contains("Rabu, 25 Maret 2026"))
            let lookup = try await render(app, "lookup", PortalController.LookupView(value: "ZZZ", error: "tidak ditemukan"))
            #expect(lookup.contains(#"aria-invalid="true""#) && lookup.contains("tidak ditemukan"))

            var view = TrackingController.TrackingView(
                trackingID: "7KQ2MX9PJ", formattedID: "7KQ2-MX9PJ", title: "Jalan rusak", body: "Kronologi", type: "Pengaduan",
                state: "Sudah ditanggapi", stateCode: "ditanggapi", waitingFor: "Konfirmasi", due: "Senin", overdue: false,
                unit: "Dinas Kesehatan", unitLink: "/unit/63/dinkes", jurisdiction: "Provinsi", submitted: "Senin",
                address: nil, timeline: [.init(when: "1 Apr 2026 09:00 WITA", label: "Laporan dikirim", text: nil, unit: nil)],
                finalAnswer: "Sudah diperbaiki", isReporter: false, reporterName: nil, attachments: [], hasAttachments: false,
                canReply: false, canConfirm: false, canRate: false, rating: nil, error: nil, notice: nil, mergedInto: nil)
            view.actionURLs = TrackingController.TrackingView.actionURLs("7KQ2MX9PJ")
            let publicHTML = try await render(app, "tracking", view)
            #expect(publicHTML.contains("Sudah diperbaiki") && publicHTML.contains(#"action="/t/7KQ2MX9PJ/pin""#))
            #expect(!publicHTML.contains("/konfirmasi"))
            view.isReporter = true; view.canConfirm = true; view.canRate = true; view.reporterName = "Siti"
            let privateHTML = try await render(app, "tracking", view)
            #expect(privateHTML.contains("/t/7KQ2MX9PJ/konfirmasi") && privateHTML.contains("/t/7KQ2MX9PJ/sanggah"))
            #expect(privateHTML.contains("/t/7KQ2MX9PJ/nilai") && privateHTML.contains("Siti"))

            let error = try await render(app, "error", ErrorMiddleware.ErrorView(heading: "Halaman tidak ditemukan", message: "x", requestID: nil, home: "/"), lang: .en)
            #expect(error.contains("Halaman tidak ditemukan") && error.contains("Back to the home page"))
        }
    }

    @Test("account pages: sign-up errors by their fields, sign-in message, my complaints")
    func accountPages() async throws {
        try await TestHarness.withApp { app in
            let signup = try await render(app, "account_signup", AccountController.FormView(name: "Rina <b>", email: "x", errors: ["email": "salah"]))
            #expect(signup.contains(#"id="email-error""#) && signup.contains("Rina &lt;b&gt;"))
            let signin = try await render(app, "account_signin", AccountController.FormView(name: "", email: "a@b.id", errors: [:], message: "E-mail atau kata sandi salah."), lang: .en)
            #expect(signin.contains(#"role="alert""#) && signin.contains("Sign in"))
            let mine = try await render(app, "account_mine", AccountController.MineView(
                name: "Rina", rows: [.init(trackingID: "7KQ2MX9PJ", title: "Sampah", state: "Selesai", submitted: "Senin")], hasRows: true))
            #expect(mine.contains(#"href="/t/7KQ2MX9PJ""#) && mine.contains("<caption>"))
            let empty = try await render(app, "account_mine", AccountController.MineView(name: "Rina", rows: [], hasRows: false))
            #expect(empty.contains(#"href="/lapor""#))
        }
    }

    @Test("both catalogues have the same keys, and every key a template uses exists")
    func catalogues() async throws {
        try await TestHarness.withApp { app in
            let id = Set(app.catalog.table(.id).keys), en = Set(app.catalog.table(.en).keys)
            #expect(id.symmetricDifference(en).isEmpty, "\(id.symmetricDifference(en).sorted())")
            let views = try #require(AppResourceLocator.views)
            for file in try FileManager.default.contentsOfDirectory(at: views, includingPropertiesForKeys: nil) where file.pathExtension == "leaf" {
                let text = try String(contentsOf: file, encoding: .utf8)
                let regex = try Regex(#"t\.([a-z0-9_]+)"#)
                for match in text.matches(of: regex) {
                    let key = String(text[match.range].dropFirst(2))
                    #expect(id.contains(key), "\(file.lastPathComponent) uses missing key \(key)")
                }
            }
        }
    }
}

@Suite("Portal journeys over HTTP")
struct PortalJourneyTests {
    func csrf(_ app: Application) async throws -> (cookie: String, token: String) {
        var cookie = "", token = ""
        try await app.testing().test(.GET, "/lapor", afterResponse: { res in
            #expect(res.status == .ok)
            cookie = res.headers.setCookie?[CSRF.cookie]?.string ?? ""
            let html = res.body.string
            if let r = html.range(of: #"name="_csrf" value=""#) {
                token = String(html[r.upperBound...].prefix { $0 != "\"" })
            }
        })
        return (cookie, token)
    }

    @Test("a form post without the CSRF token is refused and stores nothing")
    func csrfRefused() async throws {
        try await TestHarness.withApp { app in
            try await app.testing().test(.POST, "/lapor", beforeRequest: { req in
                try req.content.encode(["title": "Jalan rusak", "body": "Jalan rusak parah sekali.", "jurisdiction": "63"], as: .urlEncodedForm)
            }, afterResponse: { res in
                #expect(res.status == .forbidden)
                #expect(res.headers.contentType?.subType == "html")
            })
            #expect(try await Complaint.query(on: app.db).count() == 0)
        }
    }

    @Test("submit, see the one-time receipt, open the private page with the secret link, confirm nothing is public when confidential")
    func submitAndTrack() async throws {
        try await TestHarness.withApp { app in
            let (cookie, token) = try await csrf(app)
            var receiptCookie = ""
            try await app.testing().test(.POST, "/lapor", beforeRequest: { req in
                req.headers.cookie = [CSRF.cookie: .init(string: cookie)]
                try req.content.encode(["_csrf": token, "title": "Rahasia dinas", "body": "Laporan rahasia tentang pungutan.",
                                        "jurisdiction": "63", "confidential": "1", "name": "Ani"], as: .urlEncodedForm)
            }, afterResponse: { res in
                #expect(res.status == .seeOther, "\(res.body.string.prefix(300))")
                receiptCookie = res.headers.setCookie?[ReceiptCookie.name]?.string ?? ""
            })
            var link = ""
            try await app.testing().test(.GET, "/lapor/terkirim", beforeRequest: { req in
                req.headers.cookie = [ReceiptCookie.name: .init(string: receiptCookie)]
            }, afterResponse: { res in
                let html = res.body.string
                #expect(res.status == .ok)
                if let r = html.range(of: #"class="secret-link" href=""#) { link = String(html[r.upperBound...].prefix { $0 != "\"" }) }
            })
            let path = try #require(URL(string: link)).path, query = try #require(URL(string: link)).query ?? ""
            let id = String(path.split(separator: "/").last!)
            // Confidential: the public page is a 404, the home page and its figures do not show it
            try await app.testing().test(.GET, "/t/\(id)", afterResponse: { res in #expect(res.status == .notFound) })
            try await app.testing().test(.GET, "/", afterResponse: { res in #expect(!res.body.string.contains("Rahasia dinas")) })
            // The secret link sets a cookie for this complaint and shows the private view
            var secretCookie = ""
            try await app.testing().test(.GET, "/t/\(id)?\(query)", afterResponse: { res in
                #expect(res.status == .seeOther)
                secretCookie = res.headers.setCookie?[TrackingController.cookie]?.string ?? ""
            })
            try await app.testing().test(.GET, "/t/\(id)", beforeRequest: { req in
                req.headers.cookie = [TrackingController.cookie: .init(string: secretCookie)]
            }, afterResponse: { res in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("Rahasia dinas") && res.body.string.contains("Khusus pelapor"))
            })
        }
    }

    @Test("unknown pages get the friendly 404 in the visitor's language; the API keeps JSON errors")
    func notFound() async throws {
        try await TestHarness.withApp { app in
            try await app.testing().test(.GET, "/tidak-ada", afterResponse: { res in
                #expect(res.status == .notFound)
                #expect(res.body.string.contains("Halaman tidak ditemukan"))
                #expect(res.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true)
            })
            try await app.testing().test(.GET, "/tidak-ada?lang=en", afterResponse: { res in
                #expect(res.body.string.contains("Page not found"))
            })
            try await app.testing().test(.GET, "/api/v1/tidak-ada", afterResponse: { res in
                #expect(res.headers.contentType == .json)
            })
        }
    }
}

@Suite("Statistics scope")
struct StatisticsScopeTests {
    @Test("a province's statistics count its kabupaten/kota only when asked to")
    func includeSub() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.submit()
            _ = try await app.submit(["jurisdiction": "63.71"])
            let label = app.catalog.text("stats_received", .id)
            let (_, own) = try await app.get("/statistik?j=63")
            #expect(own.contains("<strong>1</strong> \(label)"))
            let (_, all) = try await app.get("/statistik?j=63&sub=1")
            #expect(all.contains("<strong>2</strong> \(label)"))
            let (_, kota) = try await app.get("/statistik?j=63.71&sub=1")
            #expect(kota.contains("<strong>1</strong> \(label)") && !kota.contains(#"name="sub""#))
        }
    }
}
