import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// An officer's browser: signs in through the page and posts forms with repeated fields and files.
extension Browser {
    static func officer(_ app: Application, _ username: String, password: String? = nil, totp: String? = nil) async throws -> Browser {
        let browser = Browser(app)
        try await browser.get("/petugas/masuk")
        var form = ["username": username, "password": password ?? "password-\(username)"]
        if let totp { form["totp"] = totp }
        let (status, _, location) = try await browser.post("/petugas/masuk", form)
        #expect(status == .seeOther, "sign-in of \(username)")
        #expect(location?.hasPrefix("/petugas") == true)
        return browser
    }

    /// A binary download with this browser's cookies.
    func download(_ path: String) async throws -> (HTTPStatus, [UInt8], HTTPHeaders) {
        var out: (HTTPStatus, [UInt8], HTTPHeaders) = (.internalServerError, [], [:])
        try await app.testing().test(.GET, path, beforeRequest: { req in
            var jar = HTTPCookies()
            for (k, v) in self.cookies { jar[k] = .init(string: v) }
            req.headers.cookie = jar
        }, afterResponse: { res in
            out = (res.status, Array(res.body.readableBytesView), res.headers)
        })
        return out
    }

    /// A multipart form post (fields may repeat; files as (name, filename, type, bytes)).
    @discardableResult
    func multipart(_ path: String, _ fields: [(String, String)], files: [(String, String, String, [UInt8])] = [],
                   csrf: Bool = true) async throws -> (HTTPStatus, String, String?) {
        let boundary = "----aduan-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        let all = (csrf ? [("_csrf", token)] : []) + fields
        for (name, value) in all {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for (name, filename, type, bytes) in files {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n")
            body.writeBytes(bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var out: (HTTPStatus, String, String?) = (.internalServerError, "", nil)
        try await app.testing().test(.POST, path, beforeRequest: { req in
            var jar = HTTPCookies()
            for (k, v) in self.cookies { jar[k] = .init(string: v) }
            req.headers.cookie = jar
            req.headers.contentType = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary])
            req.body = body
        }, afterResponse: { res in
            for (name, value) in res.headers.setCookie?.all ?? [:] {
                if value.string.isEmpty { self.cookies.removeValue(forKey: name) } else { self.cookies[name] = value.string }
            }
            out = (res.status, res.body.string, res.headers.first(name: .location))
        })
        return out
    }
}

extension Application {
    func eventCount(_ id: String) async throws -> Int {
        try await complaint(id).eventCount
    }
}

/// A one-page PDF, small and valid enough for the media check.
let tinyPDF: [UInt8] = Array("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8)

@Suite("Officer workspace: queues, complaint page and actions in the browser")
struct WorkspaceJourneyTests {
    @Test("portal complaint → coordinator verifies (suggested unit) → liaison follows up and answers with a file → reporter confirms")
    func mainJourney() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            _ = try await app.createOfficer("kadinkes", .unit_head, "63/dinkes")
            let sent = try await app.submit(["title": "Antrean obat RSUD terlalu lama", "target_unit": "63/dinkes"])
            let id = sent.tracking_id

            let koord = try await Browser.officer(app, "koord")
            var (status, page) = try await koord.get("/petugas")
            #expect(status == .ok && page.contains("Menunggu verifikasi") && page.contains("Antrean obat RSUD terlalu lama"))
            #expect(page.contains("sisa 3 HK") || page.contains("sisa 2 HK") || page.contains("jatuh tempo hari ini") || page.contains("sisa 1 HK"))
            (status, page) = try await koord.get("/petugas/aduan/\(id)")
            #expect(status == .ok && page.contains("Saran unit") && page.contains("dipilih pelapor"))
            #expect(page.contains("name=\"aksi\" value=\"verify\"") && page.contains("name=\"aksi\" value=\"request_info\"") && page.contains("name=\"aksi\" value=\"archive\"") && page.contains("name=\"aksi\" value=\"merge\""))
            #expect(!page.contains("name=\"aksi\" value=\"respond_final\"") && !page.contains("name=\"aksi\" value=\"follow_up\""), "liaison actions are not offered to the coordinator")
            #expect(page.contains("Siti") && page.contains("siti@example.org"), "the reporter's contact is shown to officers in scope")

            var (posted, _, location) = try await koord.post("/petugas/aduan/\(id)/aksi/verify", ["unit": "63/dinkes", "text": "Diteruskan ke Dinkes."])
            #expect(posted == .seeOther && location == "/petugas/aduan/\(id)?ok=verify")
            #expect(try await app.complaint(id).state == "didisposisikan")

            let liaison = try await Browser.officer(app, "dinkes")
            (_, page) = try await liaison.get("/petugas")
            #expect(page.contains("Disposisi untuk unit Anda") && page.contains("Antrean obat RSUD terlalu lama") && page.contains("Kirim tindak lanjut"))
            (_, page) = try await liaison.get("/petugas/kotak-masuk")
            #expect(page.contains("Diverifikasi dan diteruskan") && page.contains(TrackingID(id)!.formatted) && page.contains("class=\"badge\">baru"))
            (_, page) = try await liaison.get("/petugas/aduan/\(id)")
            #expect(page.contains("name=\"aksi\" value=\"follow_up\"") && page.contains("name=\"aksi\" value=\"return\"") && page.contains("name=\"aksi\" value=\"request_extension\""))
            #expect(!page.contains("name=\"aksi\" value=\"verify\"") && !page.contains("name=\"aksi\" value=\"archive\""))
            (posted, _, _) = try await liaison.multipart("/petugas/aduan/\(id)/aksi/follow_up", [("text", "Kami sedang memeriksa antrean.")])
            #expect(posted == .seeOther)
            #expect(try await app.complaint(id).state == "diproses")
            (posted, _, _) = try await liaison.multipart("/petugas/aduan/\(id)/aksi/respond_final",
                                                          [("text", "Loket tambahan dibuka mulai Senin."), ("internal_text", "SK Direktur 12/2026")],
                                                          files: [("attachments[]", "sk.pdf", "application/pdf", tinyPDF)])
            #expect(posted == .seeOther)
            #expect(try await app.complaint(id).state == "ditanggapi")
            (_, page) = try await liaison.get("/petugas/aduan/\(id)")
            #expect(page.contains("sk.pdf") && page.contains("SK Direktur 12/2026") && page.contains("Internal"))
            let attachment = try #require(try await Attachment.query(on: app.db).filter(\.$filename == "sk.pdf").first())
            #expect(attachment.eventSeq == (try await app.eventCount(id)))
            #expect(try await liaison.get("/petugas/aduan/\(id)/lampiran/\(attachment.id!.uuidString.lowercased())").0 == .ok)

            let (confirmed, _) = try await app.reporter(sent.secret, id, "confirm", [:])
            #expect(confirmed == .ok)
            #expect(try await app.complaint(id).state == "selesai")

            let head = try await Browser.officer(app, "kadinkes")
            (_, page) = try await head.get("/petugas")
            #expect(page.contains("Kinerja unit") && page.contains("selesai 30 hari terakhir"))
        }
    }

    @Test("a returned complaint is redispositioned; an extension is requested and decided")
    func returnAndExtension() async throws {
        try await TestHarness.withApp { app in
            let koordToken = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            _ = try await app.createOfficer("pupr", .liaison, "63/dpupr")
            let id = try await app.submit(["title": "Jalan rusak di depan puskesmas"]).tracking_id
            _ = try await app.act(koordToken, id, "verify", ["unit": "63/dinkes"])

            let dinkes = try await Browser.officer(app, "dinkes")
            try await dinkes.get("/petugas/aduan/\(id)")
            #expect(try await dinkes.post("/petugas/aduan/\(id)/aksi/return", ["internal_text": "Urusan jalan: PUPR."]).0 == .seeOther)

            let koord = try await Browser.officer(app, "koord")
            var (_, page) = try await koord.get("/petugas")
            #expect(page.contains("Dikembalikan unit"))
            (_, page) = try await koord.get("/petugas/aduan/\(id)")
            #expect(page.contains("name=\"aksi\" value=\"redispose\"") && page.contains("Urusan jalan: PUPR."))
            #expect(try await koord.post("/petugas/aduan/\(id)/aksi/redispose", ["unit": "63/dpupr"]).0 == .seeOther)
            #expect(try await app.complaint(id).unitID == "63/dpupr")

            let pupr = try await Browser.officer(app, "pupr")
            try await pupr.get("/petugas/aduan/\(id)")
            // A bad number of days is refused with the reason on the page, and nothing changes.
            let before = try await app.eventCount(id)
            let (bad, badPage, _) = try await pupr.post("/petugas/aduan/\(id)/aksi/request_extension", ["days": "30", "internal_text": "Perlu survei"])
            #expect(bad == .unprocessableEntity && badPage.contains("role=\"alert\""))
            #expect(try await app.eventCount(id) == before)
            #expect(try await pupr.post("/petugas/aduan/\(id)/aksi/request_extension", ["days": "5", "internal_text": "Perlu survei lapangan"]).0 == .seeOther)

            (_, page) = try await koord.get("/petugas")
            #expect(page.contains("Permintaan perpanjangan") && page.contains("Minta perpanjangan 5 HK"))
            try await koord.get("/petugas/aduan/\(id)")
            #expect(try await koord.post("/petugas/aduan/\(id)/aksi/decide_extension", ["approve": "1"]).0 == .seeOther)
            let c = try await app.complaint(id)
            #expect(c.extensionDays == 5 && c.extensionRequestedDays == nil)
            (_, page) = try await koord.get("/petugas/aduan/\(id)")
            #expect(page.contains("Riwayat batas waktu") && page.contains("Penyelesaian"))
        }
    }

    @Test("Aduan suggests the duplicate, the coordinator merges it, and bulk actions work on the queue")
    func mergeAndBulk() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let original = try await app.submit(["title": "Lampu jalan mati di Jl. Ahmad Yani km 5",
                                                 "body": "Lampu penerangan jalan di Jl. Ahmad Yani km 5 mati sejak seminggu, gelap dan rawan."]).tracking_id
            let duplicate = try await app.submit(["title": "Lampu penerangan Jl. Ahmad Yani km 5 mati",
                                                  "body": "Sudah seminggu lampu penerangan jalan Ahmad Yani km 5 mati, jalan gelap rawan kecelakaan."]).tracking_id
            let other = try await app.submit(["title": "Pungutan liar di pasar", "body": "Ada pungutan liar oleh oknum di pasar induk setiap pagi hari.",
                                              "reporter": ["name": "Budi", "email": "budi@example.org"]]).tracking_id

            let koord = try await Browser.officer(app, "koord")
            var (_, page) = try await koord.get("/petugas/aduan/\(duplicate)")
            #expect(page.contains("Kemungkinan duplikat") && page.contains("value=\"\(original)\"") && !page.contains("value=\"\(other)\""))
            // A browser sends the radio button and the (empty) text box; the chosen suggestion wins.
            let (_, _, merged_) = try await koord.multipart("/petugas/aduan/\(duplicate)/aksi/merge", [("into", original), ("into_typed", "")])
            #expect(merged_ == "/petugas/aduan/\(original)?ok=merge")
            let merged = try await app.complaint(duplicate)
            #expect(merged.state == "diarsipkan" && merged.archiveReason == "duplikat" && merged.mergedInto == original)

            // Bulk: archive one as spam, disposition another; a complaint already handled is refused, not changed.
            let spam = try await app.submit(["title": "Promo pinjaman online murah", "body": "Hubungi nomor ini untuk pinjaman cepat tanpa jaminan."]).tracking_id
            (_, page) = try await koord.get("/petugas")
            #expect(page.contains("id=\"bulk-form\"") && page.contains("value=\"\(spam)\""))
            var (status, _, location) = try await koord.multipart("/petugas/massal", [("ids[]", spam), ("ids[]", merged.trackingID), ("action", "archive"), ("reason", "spam")])
            #expect(status == .seeOther && location == "/petugas?ok=1&refused=1")
            #expect(try await app.complaint(spam).archiveReason == "spam")
            (status, _, location) = try await koord.multipart("/petugas/massal", [("ids[]", original), ("ids[]", other), ("action", "verify"), ("unit", "63/dpupr")])
            #expect(status == .seeOther && location == "/petugas?ok=2&refused=0")
            #expect(try await app.complaint(other).unitID == "63/dpupr")
            (status, _, _) = try await koord.multipart("/petugas/massal", [("action", "archive"), ("reason", "spam")])
            #expect(status == .unprocessableEntity)
        }
    }

    @Test("a walk-in complaint is entered by the coordinator with its channel and medium, and the receipt is shown once")
    func walkIn() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let koord = try await Browser.officer(app, "koord")
            var (status, page) = try await koord.get("/petugas/aduan/baru")
            #expect(status == .ok && page.contains("Datang langsung") && page.contains("name=\"medium\""))
            // Errors come back next to the fields; nothing is created.
            let (bad, badPage, _) = try await koord.multipart("/petugas/aduan/baru", [("title", ""), ("body", "pendek"), ("jurisdiction", "63.71"), ("medium", "phone")])
            #expect(bad == .unprocessableEntity && badPage.contains("role=\"alert\""))
            #expect(try await Complaint.query(on: app.db).count() == 0)
            let (ok, _, location) = try await koord.multipart("/petugas/aduan/baru", [
                ("type", "pengaduan"), ("title", "Keluhan di loket Samsat"), ("body", "Pelapor datang langsung: antrean loket Samsat tidak tertib."),
                ("jurisdiction", "63"), ("medium", "walk_in"), ("name", "Pak Udin"), ("phone", "081234567890")])
            #expect(ok == .seeOther && location == "/petugas/aduan/baru/tanda-terima")
            (status, page) = try await koord.get("/petugas/aduan/baru/tanda-terima")
            #expect(status == .ok && page.contains("Tanda terima untuk pelapor") && page.contains("?s="))
            #expect(try await koord.get("/petugas/aduan/baru/tanda-terima").0 == .seeOther, "the receipt is shown once")
            let c = try #require(try await Complaint.query(on: app.db).first())
            #expect(c.channel == "officer")
            let submit = try #require(try await Event.query(on: app.db).filter(\.$complaintID == c.id!).filter(\.$seq == 1).first())
            #expect(submit.dataDictionary["medium"] == "walk_in" && submit.actorID == "koord" && submit.actorRole == "coordinator")
            // Only coordinators enter complaints.
            let liaison = try await Browser.officer(app, "dinkes")
            #expect(try await liaison.get("/petugas/aduan/baru").0 == .forbidden)
        }
    }

    @Test("response templates per unit and category prefill the liaison's answer")
    func templates() async throws {
        try await TestHarness.withApp { app in
            let koordToken = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            _ = try await app.createOfficer("pupr", .liaison, "63/dpupr")
            let dinkes = try await Browser.officer(app, "dinkes")
            try await dinkes.get("/petugas/templat")
            #expect(try await dinkes.post("/petugas/templat", ["unit": "63/dpupr", "title": "x", "body": "y"]).0 == .unprocessableEntity)
            #expect(try await dinkes.post("/petugas/templat", ["unit": "63/dinkes", "title": "", "body": "y"]).0 == .unprocessableEntity)
            #expect(try await ResponseTemplate.query(on: app.db).count() == 0)
            #expect(try await dinkes.post("/petugas/templat", ["unit": "63/dinkes", "title": "Antrean", "body": "Terima kasih, antrean kami tata ulang."]).0 == .seeOther)
            let template = try #require(try await ResponseTemplate.query(on: app.db).first())

            let id = try await app.submit([:]).tracking_id
            _ = try await app.act(koordToken, id, "verify", ["unit": "63/dinkes"])
            var (_, page) = try await dinkes.get("/petugas/aduan/\(id)")
            #expect(page.contains("?templat=\(template.id!)"))
            (_, page) = try await dinkes.get("/petugas/aduan/\(id)?templat=\(template.id!)")
            #expect(page.contains(">Terima kasih, antrean kami tata ulang.</textarea>"))

            // Another unit's liaison neither sees nor changes it.
            let pupr = try await Browser.officer(app, "pupr")
            (_, page) = try await pupr.get("/petugas/templat")
            #expect(!page.contains("antrean kami tata ulang"))
            #expect(try await pupr.post("/petugas/templat/\(template.id!)", ["unit": "63/dpupr", "title": "Curian", "body": "z"]).0 == .notFound)
            #expect(try await pupr.post("/petugas/templat/\(template.id!)/hapus", [:]).0 == .notFound)
            #expect(try await ResponseTemplate.find(template.id, on: app.db)?.title == "Antrean")
            #expect(try await dinkes.post("/petugas/templat/\(template.id!)/hapus", [:]).0 == .seeOther)
            #expect(try await ResponseTemplate.query(on: app.db).count() == 0)
        }
    }

    @Test("every officer page renders in both languages without template leftovers")
    func rendering() async throws {
        try await TestHarness.withApp { app in
            let koordToken = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            _ = try await app.createOfficer("kadinkes", .unit_head, "63/dinkes")
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            _ = try await app.createOfficer("irban", .inspector, "63")
            let id = try await app.submit([:]).tracking_id
            let dup = try await app.submit([:]).tracking_id
            _ = try await app.act(koordToken, id, "verify", ["unit": "63/dinkes"])
            for lang in ["id", "en"] {
                for (user, paths) in [("koord", ["/petugas", "/petugas/aduan", "/petugas/aduan?state=baru&q=jalan&terlambat=1", "/petugas/aduan/\(dup)",
                                                 "/petugas/aduan/\(id)", "/petugas/kotak-masuk", "/petugas/templat", "/petugas/akun", "/petugas/aduan/baru"]),
                                      ("dinkes", ["/petugas", "/petugas/aduan/\(id)", "/petugas/kotak-masuk", "/petugas/templat"]),
                                      ("kadinkes", ["/petugas", "/petugas/aduan/\(id)", "/petugas/teguran"]),
                                      ("irban", ["/petugas", "/petugas/aduan/\(id)", "/petugas/teguran"]),
                                      ("admin", ["/petugas", "/petugas/akun"])] {
                    let browser = try await Browser.officer(app, user)
                    try await browser.get("/bahasa/\(lang)?next=/petugas")
                    for path in paths {
                        let (status, page) = try await browser.get(path)
                        #expect(status == .ok, "\(user) \(path) \(lang)")
                        #expect(!page.contains("#(") && !page.contains("#if") && !page.contains("#endif") && !page.contains("#for"), "\(path)")
                        #expect(page.contains("<html lang=\"\(lang)\"") && page.contains("Officer menu") == (lang == "en"), "\(path)")
                    }
                }
                let visitor = Browser(app)
                try await visitor.get("/bahasa/\(lang)?next=/")
                for path in ["/petugas/masuk", "/petugas/lupa-sandi"] {
                    let (status, page) = try await visitor.get(path)
                    #expect(status == .ok && !page.contains("#("), "\(path)")
                }
                #expect(try await visitor.get("/petugas/atur-sandi/nope").0 == .notFound)
            }
        }
    }
}

@Suite("Warnings (teguran): the inspectorate warns a unit, its head acknowledges")
struct WarningTests {
    @Test("issued from a complaint, shown on the unit head's home and inbox, acknowledged once; others are refused")
    func warningJourney() async throws {
        try await TestHarness.withApp { app in
            let koordToken = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("irprov", .inspector, "63")
            _ = try await app.createOfficer("irkota", .inspector, "63.71")
            _ = try await app.createOfficer("kadinkes", .unit_head, "63/dinkes")
            _ = try await app.createOfficer("kapupr", .unit_head, "63/dpupr")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            let id = try await app.submit([:]).tracking_id
            _ = try await app.act(koordToken, id, "verify", ["unit": "63/dinkes"])

            let inspector = try await Browser.officer(app, "irprov")
            var (_, page) = try await inspector.get("/petugas/aduan/\(id)")
            #expect(page.contains("id=\"form-warn\"") && page.contains("name=\"aksi\" value=\"flag_supervision\""))
            #expect(try await inspector.post("/petugas/teguran", ["unit": "63/dinkes", "complaint": id, "text": "pendek"]).0 == .unprocessableEntity)
            #expect(try await UnitWarning.query(on: app.db).count() == 0)
            #expect(try await inspector.post("/petugas/teguran", ["unit": "63/dinkes", "complaint": id,
                                                                  "text": "Tindak lanjut aduan ini terlambat; mohon segera diselesaikan."]).2 == "/petugas/teguran?ok=issued")
            // A kabupaten/kota inspector cannot warn a provincial unit.
            let kota = try await Browser.officer(app, "irkota")
            try await kota.get("/petugas/teguran")
            #expect(try await kota.post("/petugas/teguran", ["unit": "63/dinkes", "text": "Teguran dari luar wewenang."]).0 == .forbidden)
            let warning = try #require(try await UnitWarning.query(on: app.db).first())
            #expect(warning.complaintID == (try await app.complaint(id)).id)

            let head = try await Browser.officer(app, "kadinkes")
            (_, page) = try await head.get("/petugas")
            #expect(page.contains("Teguran yang harus ditanggapi") && page.contains("terlambat; mohon segera"))
            (_, page) = try await head.get("/petugas/kotak-masuk")
            #expect(page.contains("Teguran yang harus ditanggapi"))
            // The liaison reads it but cannot answer; another unit's head does not see it.
            let liaison = try await Browser.officer(app, "dinkes")
            (_, page) = try await liaison.get("/petugas/teguran")
            #expect(page.contains("terlambat; mohon segera") && !page.contains("/terima"))
            #expect(try await liaison.post("/petugas/teguran/\(warning.id!)/terima", ["response": "Saya jawab sebagai penghubung."]).0 == .forbidden)
            let other = try await Browser.officer(app, "kapupr")
            (_, page) = try await other.get("/petugas/teguran")
            #expect(!page.contains("terlambat; mohon segera"))
            #expect(try await other.post("/petugas/teguran/\(warning.id!)/terima", ["response": "Bukan unit saya tapi saya jawab."]).0 == .notFound)

            try await head.get("/petugas/teguran")
            #expect(try await head.post("/petugas/teguran/\(warning.id!)/terima", ["response": "x"]).0 == .unprocessableEntity)
            #expect(try await head.post("/petugas/teguran/\(warning.id!)/terima", ["response": "Petugas ditambah; selesai pekan ini."]).2 == "/petugas/teguran?ok=acknowledged")
            #expect(try await head.post("/petugas/teguran/\(warning.id!)/terima", ["response": "Jawaban kedua tidak boleh."]).0 == .conflict)
            let done = try #require(try await UnitWarning.find(warning.id, on: app.db))
            #expect(done.acknowledgedBy == "kadinkes" && done.response == "Petugas ditambah; selesai pekan ini.")
            (_, page) = try await inspector.get("/petugas/teguran")
            #expect(page.contains("Sudah ditanggapi") && page.contains("Petugas ditambah"))
        }
    }
}

@Suite("Officer workspace: who may see and do what")
struct WorkspaceAuthorizationTests {
    /// Every officer page that names a complaint, and every action posted on one.
    static func complaintRoutes(_ id: String, attachment: String) -> [(HTTPMethod, String)] {
        [(.GET, "/petugas/aduan/\(id)"), (.GET, "/petugas/aduan/\(id)/lampiran/\(attachment)")]
            + Action.officerActions.map { (.POST, "/petugas/aduan/\(id)/aksi/\($0.rawValue)") }
    }

    @Test("an officer outside the complaint's scope gets 404 on every page and action, and nothing changes")
    func outOfScope() async throws {
        try await TestHarness.withApp { app in
            let koordToken = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("kota", .coordinator, "63.71")
            _ = try await app.createOfficer("pupr", .liaison, "63/dpupr")
            _ = try await app.createOfficer("admin", .sysadmin, "63")
            let sent = try await app.submit([:])
            let id = sent.tracking_id
            _ = try await app.act(koordToken, id, "verify", ["unit": "63/dinkes"])
            let c = try await app.complaint(id)
            let attachment = UUID().uuidString.lowercased()
            for user in ["kota", "pupr", "admin"] {
                let browser = try await Browser.officer(app, user)
                try await browser.get("/petugas")
                for (method, path) in Self.complaintRoutes(id, attachment: attachment) {
                    let status = method == .GET ? try await browser.get(path).0
                        : try await browser.post(path, ["unit": "63/dpupr", "text": "x", "internal_text": "x", "days": "3", "approve": "1",
                                                        "reason": "spam", "into": id, "jurisdiction": "63.71", "destination": "x"]).0
                    #expect(status == .notFound, "\(user) \(method) \(path)")
                }
                let (_, list) = try await browser.get("/petugas/aduan")
                #expect(!list.contains(c.title) || user == "x", "\(user) lists nothing out of scope")
                let (status, _, _) = try await browser.multipart("/petugas/massal", [("ids[]", id), ("action", "archive"), ("reason", "spam")])
                #expect(status == .notFound, "\(user) bulk")
            }
            let after = try await app.complaint(id)
            #expect(after.eventCount == c.eventCount && after.state == "didisposisikan")
        }
    }

    @Test("an officer in scope is refused actions that are not theirs (403/409) and nothing changes")
    func wrongRoleInScope() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("kadinkes", .unit_head, "63/dinkes")
            let koordToken = try await app.login("koord")
            let id = try await app.submit([:]).tracking_id
            _ = try await app.act(koordToken, id, "verify", ["unit": "63/dinkes"])
            let before = try await app.eventCount(id)
            let head = try await Browser.officer(app, "kadinkes")
            let (_, page) = try await head.get("/petugas/aduan/\(id)")
            #expect(!page.contains("name=\"aksi\" value=\"follow_up\"") && page.contains("name=\"aksi\" value=\"note\""))
            for action in ["follow_up", "respond_final", "verify", "archive"] {
                let status = try await head.post("/petugas/aduan/\(id)/aksi/\(action)", ["text": "x", "unit": "63/dinkes"]).0
                #expect(status == .forbidden || status == .conflict, "\(action)")
            }
            #expect(try await app.eventCount(id) == before)
            #expect(try await head.post("/petugas/aduan/\(id)/aksi/note", ["internal_text": "Sudah saya tegur."]).0 == .seeOther)
        }
    }

    @Test("without a session pages lead to sign-in and posts are refused; posts without the form token are refused")
    func sessionsAndCSRF() async throws {
        try await TestHarness.withApp { app in
            let koordToken = try await app.createOfficer("koord", .coordinator, "63")
            let id = try await app.submit([:]).tracking_id
            let visitor = Browser(app)
            for path in ["/petugas", "/petugas/aduan", "/petugas/aduan/\(id)", "/petugas/kotak-masuk", "/petugas/templat", "/petugas/akun", "/petugas/aduan/baru"] {
                let (status, _) = try await visitor.get(path)
                #expect(status == .seeOther, "\(path)")
            }
            try await visitor.get("/petugas/masuk")
            for path in ["/petugas/aduan/\(id)/aksi/verify", "/petugas/massal", "/petugas/templat", "/petugas/akun/keluar-semua", "/petugas/kotak-masuk/dibaca"] {
                let (status, _, location) = try await visitor.post(path, ["unit": "63/dinkes"])
                #expect(status == .seeOther && location == "/petugas/masuk", "\(path)")
            }
            // Signed in, but the form token is missing or wrong.
            let koord = try await Browser.officer(app, "koord")
            try await koord.get("/petugas/aduan/\(id)")
            let good = koord.token
            koord.token = "forged"
            #expect(try await koord.post("/petugas/aduan/\(id)/aksi/verify", ["unit": "63/dinkes"]).0 == .forbidden)
            #expect(try await koord.multipart("/petugas/aduan/\(id)/aksi/archive", [("reason", "spam")], csrf: false).0 == .forbidden)
            #expect(try await koord.post("/petugas/akun/keluar-semua", [:]).0 == .forbidden)
            #expect(try await app.complaint(id).state == "baru")
            koord.token = good
            #expect(try await koord.post("/petugas/aduan/\(id)/aksi/verify", ["unit": "63/dinkes"]).0 == .seeOther)
            _ = koordToken
        }
    }
}

@Suite("Officer accounts: two-factor, recovery codes, password reset, sign-out everywhere")
struct OfficerAccountTests {
    /// Enrols `browser`'s officer in TOTP through the page and returns the secret and the recovery codes shown.
    static func enrol(_ browser: Browser, app: Application) async throws -> (secret: String, codes: [String]) {
        let (_, page) = try await browser.get("/petugas/akun")
        let secret = try #require(page.firstMatch(after: "id=\"totp-secret\">", until: "<"))
        let pending = try #require(page.firstMatch(after: "name=\"pending\" value=\"", until: "\""))
        #expect(page.contains("data:image/svg+xml;base64,"))
        let wrong = try await browser.post("/petugas/akun/2fa", ["pending": pending, "code": "000000"])
        #expect(wrong.0 == .unprocessableEntity)
        let code = TOTP.code(secret: TOTP.base32Decode(secret)!, at: app.clock.now)
        let (status, done, _) = try await browser.post("/petugas/akun/2fa", ["pending": pending, "code": code])
        #expect(status == .ok && done.contains("Kode pemulihan"))
        let codes = done.components(separatedBy: "<code>").dropFirst().compactMap { $0.split(separator: "<").first.map(String.init) }
        #expect(codes.count == 10)
        return (secret, codes)
    }

    @Test("enrol with the QR code; sign-in then needs a fresh code or a recovery code, each usable once")
    func totpEnrolment() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            let browser = try await Browser.officer(app, "koord")
            let (secret, codes) = try await Self.enrol(browser, app: app)
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "koord").first())
            #expect(user.totpSealed.flatMap(app.secrets.openTOTP) == secret && user.totpSealed?.contains(secret) == false, "the secret is stored sealed")
            #expect(user.recoveryCodes?.contains(codes[0]) == false, "codes are stored hashed")

            // Password alone is not enough any more; a wrong code is refused.
            let next = Browser(app)
            try await next.get("/petugas/masuk")
            var (status, page, _) = try await next.post("/petugas/masuk", ["username": "koord", "password": "password-koord"])
            #expect(status == .unauthorized && page.contains("id=\"totp\""))
            (status, _, _) = try await next.post("/petugas/masuk", ["username": "koord", "password": "password-koord", "totp": "123456"])
            #expect(status == .unauthorized)
            // The code used at enrolment cannot be replayed; the next step's code works once.
            app.clock.set(app.clock.now.addingTimeInterval(30))
            let fresh = TOTP.code(secret: TOTP.base32Decode(secret)!, at: app.clock.now)
            #expect(try await next.post("/petugas/masuk", ["username": "koord", "password": "password-koord", "totp": fresh]).0 == .seeOther)
            let again = Browser(app)
            try await again.get("/petugas/masuk")
            #expect(try await again.post("/petugas/masuk", ["username": "koord", "password": "password-koord", "totp": fresh]).0 == .unauthorized)
            // A recovery code works once.
            #expect(try await again.post("/petugas/masuk", ["username": "koord", "password": "password-koord", "totp": codes[3].lowercased()]).0 == .seeOther)
            let third = Browser(app)
            try await third.get("/petugas/masuk")
            #expect(try await third.post("/petugas/masuk", ["username": "koord", "password": "password-koord", "totp": codes[3]]).0 == .unauthorized)
            (_, page) = try await again.get("/petugas/akun")
            #expect(page.contains("<strong>9</strong>"))
        }
    }

    @Test("the enrolment URI has one colon in its label, between issuer and account, as authenticator apps read it")
    func totpLabel() {
        let uri = TwoFactor.uri(secret: "JBSWY3DPEHPK3PXP", username: "koord", site: "https://aduan.kalselprov.go.id:8443")
        let label = uri.dropFirst("otpauth://totp/".count).prefix { $0 != "?" }
        #expect(label == "Aduan%20aduan.kalselprov.go.id:koord")
        #expect(uri.contains("&issuer=Aduan%20aduan.kalselprov.go.id&"))
    }

    @Test("when the sysadmin requires two-factor for a role, its officers must enrol before anything else; the API refuses tokens")
    func enforcedPerRole() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            _ = try await app.createOfficer("dinkes", .liaison, "63/dinkes")
            try await Setting(key: "totp_required_roles", value: #"["coordinator"]"#, updatedAt: app.clock.now).create(on: app.writeDB)
            app.reference.invalidate()

            let koord = try await Browser.officer(app, "koord")
            var (status, _) = try await koord.get("/petugas")
            #expect(status == .seeOther)
            #expect(try await koord.get("/petugas/aduan").0 == .seeOther)
            (status, _) = try await koord.get("/petugas/akun?wajib=1")
            #expect(status == .ok)
            var refused = HTTPStatus.ok
            try await app.testing().test(.POST, "/api/v1/auth/token", beforeRequest: { req in
                try req.content.encode(["username": "koord", "password": "password-koord"])
            }, afterResponse: { res in refused = res.status })
            #expect(refused == .forbidden)
            _ = try await Self.enrol(koord, app: app)
            #expect(try await koord.get("/petugas").0 == .ok)
            // The liaison's role does not require it.
            let liaison = try await Browser.officer(app, "dinkes")
            #expect(try await liaison.get("/petugas").0 == .ok)
        }
    }

    @Test("password reset by e-mail: a sealed outbox message, a one-hour single-use link, every session ended")
    func passwordReset() async throws {
        try await TestHarness.withApp { app in
            _ = try await app.createOfficer("koord", .coordinator, "63")
            try await User.query(on: app.writeDB).filter(\.$username == "koord").set(\.$email, to: "koord@kalselprov.go.id").update()
            let signedIn = try await Browser.officer(app, "koord")
            let visitor = Browser(app)
            try await visitor.get("/petugas/lupa-sandi")
            let (_, unknown, _) = try await visitor.post("/petugas/lupa-sandi", ["username": "nobody"])
            let (_, known, _) = try await visitor.post("/petugas/lupa-sandi", ["username": "koord@kalselprov.go.id"])
            #expect(unknown.contains("Jika akun itu ada") && known.contains("Jika akun itu ada"), "the same answer either way")
            let message = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == "password_reset").first())
            #expect(!message.payload.contains("atur-sandi"), "the live link is sealed in the outbox")
            let payload = try PasswordResetMail.open(message.payload, secrets: app.secrets)
            let path = String(payload.link.dropFirst(app.settings.baseURL.count))
            let mail = try await EmailTransport(app: app, settings: .loopback(port: 2525))
                .compose(OutboxSnapshot(id: message.id!, idempotencyKey: message.idempotencyKey, kind: message.kind, audience: message.audience,
                                        payload: message.payload, attempts: 0))
            #expect(mail?.text.contains(payload.link) == true)

            #expect(try await visitor.get(path).0 == .ok)
            #expect(try await visitor.post(path, ["new": "short", "repeat": "short"]).0 == .unprocessableEntity)
            #expect(try await visitor.post(path, ["new": "kata-sandi-baru-1", "repeat": "kata-sandi-baru-2"]).0 == .unprocessableEntity)
            #expect(try await visitor.post(path, ["new": "kata-sandi-baru-1", "repeat": "kata-sandi-baru-1"]).2 == "/petugas/masuk?ok=reset")
            #expect(try await visitor.get(path).0 == .notFound, "used once")
            #expect(try await signedIn.get("/petugas").0 == .seeOther, "the old session ended")
            _ = try await Browser.officer(app, "koord", password: "kata-sandi-baru-1")

            // An expired link does nothing.
            try await visitor.get("/petugas/lupa-sandi")
            try await visitor.post("/petugas/lupa-sandi", ["username": "koord"])
            let second = try #require(try await OutboxMessage.query(on: app.db).filter(\.$kind == "password_reset").sort(\.$id, .descending).first())
            let link = try PasswordResetMail.open(second.payload, secrets: app.secrets).link
            app.clock.set(app.clock.now.addingTimeInterval(3601))
            #expect(try await visitor.post(String(link.dropFirst(app.settings.baseURL.count)), ["new": "kata-sandi-baru-3", "repeat": "kata-sandi-baru-3"]).0 == .notFound)
        }
    }

    @Test("changing the password ends the other sessions; sign-out everywhere ends all sessions and API tokens")
    func sessions() async throws {
        try await TestHarness.withApp { app in
            let token = try await app.createOfficer("koord", .coordinator, "63")
            let first = try await Browser.officer(app, "koord")
            let second = try await Browser.officer(app, "koord")
            try await first.get("/petugas/akun")
            #expect(try await first.post("/petugas/akun/sandi", ["current": "salah", "new": "kata-sandi-baru-1", "repeat": "kata-sandi-baru-1"]).0 == .unprocessableEntity)
            #expect(try await first.post("/petugas/akun/sandi", ["current": "password-koord", "new": "kata-sandi-baru-1", "repeat": "kata-sandi-baru-1"]).0 == .seeOther)
            #expect(try await first.get("/petugas").0 == .ok)
            #expect(try await second.get("/petugas").0 == .seeOther)
            #expect(try await app.get("/api/v1/me", token: token).0 == .unauthorized)

            let third = try await Browser.officer(app, "koord", password: "kata-sandi-baru-1")
            try await first.get("/petugas/akun")
            #expect(try await first.post("/petugas/akun/keluar-semua", [:]).2 == "/petugas/masuk?ok=everywhere")
            #expect(try await first.get("/petugas").0 == .seeOther)
            #expect(try await third.get("/petugas").0 == .seeOther)
            #expect(try await BrowserSession.query(on: app.db).filter(\.$kind == "officer").count() == 0)
        }
    }
}

extension String {
    /// The text between the first `start` and the next `end` after it.
    func firstMatch(after start: String, until end: String) -> String? {
        guard let a = range(of: start) else { return nil }
        let rest = self[a.upperBound...]
        guard let b = rest.range(of: end) else { return nil }
        return String(rest[..<b.lowerBound])
    }
}
