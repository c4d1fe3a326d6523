import AduanCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// Triage that learns, in the product (issue 16): the history comes in through the real LAPOR import, the model is
/// trained by the worker's sweep or `TriageService.train` and stored in the database, and suggestions are asked of
/// `POST /api/v1/triage/suggest` as a coordinator's client would.
@Suite("Triage in the product: stored model, API, retraining", .serialized)
struct TriageShellTests {
    static let kota = "63.71"
    static let units = [
        ("dinkes", "Dinas Kesehatan Kota Banjarmasin"),
        ("pupr", "Dinas Pekerjaan Umum dan Penataan Ruang Kota Banjarmasin"),
        ("dishub", "Dinas Perhubungan Kota Banjarmasin"),
    ]
    /// What each unit's reports talk about, written for this test (Banjarmasin's own history is not public).
    static let topics: [String: [String]] = [
        "dinkes": ["puskesmas", "obat", "dokter", "antrean pasien", "bidan", "imunisasi", "rumah sakit", "perawat", "posyandu", "demam berdarah"],
        "pupr": ["jalan berlubang", "aspal", "drainase", "saluran air", "jembatan", "trotoar", "gorong-gorong", "banjir", "galian", "longsor"],
        "dishub": ["lampu lalu lintas", "parkir liar", "angkot", "terminal", "rambu", "ojek", "truk", "macet", "halte", "kendaraan"],
    ]
    static let fillers = ["sudah lama", "mohon ditindaklanjuti", "warga resah", "di dekat pasar", "sejak minggu lalu", "tolong segera",
                          "di RT 05", "setiap pagi", "belum ada tanggapan", "sangat mengganggu"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]

    /// A "Laporan Ringkas" export as LAPOR writes it, `count` reports dispositioned to Banjarmasin's units, in date
    /// order from January 2024, numbered from `first`.
    static func export(count: Int, first: Int) -> Data {
        var rng = TriageTestRandom(seed: UInt64(first))
        var lines = ["Judul Laporan,,Laporan Ringkas", "", "Nama Instansi,,Pemerintah Kota Banjarmasin", "", "Tanggal Generate,,2024-12-31", "",
                     "Periode Masuk,,(2024-01-01) - (2024-12-31)", "", "Pengelola", "",
                     "TRACKING ID,Judul Laporan,Isi Laporan Akhir,Isi Laporan Awal,tanggal laporan masuk,Waktu Laporan Masuk,Klasifikasi Laporan,"
                     + "ID Kategori,Kategori,Tipe Laporan (Anonim/Rahasia),Sumber Laporan,Instansi Induk,Instansi Terdisposisi,Status Laporan,"
                     + "Alasan Tunda/Arsip,Provinsi,Kota/Kabupaten"]
        for i in 0..<count {
            let (slug, name) = units[(first + i) % units.count]
            let words = topics[slug]!
            let a = words[Int(rng.next() % UInt64(words.count))], b = words[Int(rng.next() % UInt64(words.count))]
            let f = fillers[Int(rng.next() % UInt64(fillers.count))]
            let day = (first + i) % 300
            let month = min(day / 28, 11), dom = day % 28 + 1
            lines.append("\(first + i),Keluhan \(a),\"Ada masalah \(a) dan \(b), \(f).\",\(a),\(dom) \(months[month]) 2024,10.\(10 + i % 40),"
                         + "Pengaduan Tidak Berkadar Pengawasan,,,Anonim,Website,Pemerintah Kota Banjarmasin,\(name),Ditutup oleh Sistem,,"
                         + "Kalimantan Selatan,Kota Banjarmasin")
        }
        return Data(lines.joined(separator: "\n").utf8)
    }

    /// Banjarmasin's three units, loaded as an operator would (`aduan org import`).
    static func loadUnits(_ app: Application) async throws {
        let csv = "jurisdiction,slug,name,kind,parent\n" + units.map { "\(kota),\($0.0),\($0.1),agency," }.joined(separator: "\n")
        let result = try await OrgAdmin.importUnits(app, actor: "test", data: Data(csv.utf8), filename: "kota.csv", dryRun: false)
        #expect(result.errors.isEmpty && result.applied, "\(result.errors)")
        app.reference.invalidate()
    }

    static func importHistory(_ app: Application, count: Int, first: Int) async throws {
        let report = try await LaporImport.run(export(count: count, first: first), jurisdiction: kota, partial: false, actorRole: "coordinator",
                                               actorID: "koord.bjm", app: app)
        #expect(report.rejected.isEmpty && report.created == count, "\(report.rejected.prefix(3))")
    }

    struct Answer: Decodable {
        struct UnitChoice: Decodable { var unit: String; var name: String; var score: Double?; var reasons: [String]; var source: String }
        struct ModelInfo: Decodable { var trained_at: Date; var examples: Int; var version: Int }
        var status: String
        var clearly_ahead: Bool
        var units: [UnitChoice]
        var model: ModelInfo?
    }

    static func suggest(_ app: Application, token: String?, _ body: [String: any Sendable], query: String = "") async throws -> (HTTPStatus, String) {
        var headers: HTTPHeaders = ["content-type": "application/json"]
        if let token { headers.add(name: .authorization, value: "Bearer \(token)") }
        var out: (HTTPStatus, String) = (.internalServerError, "")
        try await app.testing().test(.POST, "/api/v1/triage/suggest" + query, headers: headers,
                                     body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)),
                                     afterResponse: { res in out = (res.status, res.body.string) })
        return out
    }

    static func answer(_ text: String) throws -> Answer {
        let decoder = JSONDecoder(); decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Answer.self, from: Data(text.utf8))
    }

    static let heldOut: [String: any Sendable] = ["title": "Obat habis di puskesmas",
                                                   "body": "Sudah tiga hari obat untuk anak tidak ada dan dokter jaga tidak datang.",
                                                   "jurisdiction": kota]

    @Test("after a LAPOR import the worker retrains, and a held-out report is suggested the unit the import taught, with reasons in words")
    func retrainAfterImport() async throws {
        try await TestHarness.withApp { app in
            try await Self.loadUnits(app)
            let koord = try await app.createOfficer("koord.bjm", .coordinator, Self.kota)
            // Given no history: no model, and the rules' fallback
            let (s0, b0) = try await Self.suggest(app, token: koord, Self.heldOut)
            #expect(s0 == .ok, "\(b0)")
            #expect(try Self.answer(b0).status == "no_model")
            // When 150 reports are imported, the worker's sweep trains the model of that jurisdiction only
            try await Self.importHistory(app, count: 150, first: 7_000_000)
            #expect(try await TriageRetrain.due(Self.kota, app: app))
            #expect(await TriageRetrain.sweep(app) >= 1)
            #expect(try await TriageRetrain.due(Self.kota, app: app) == false)
            #expect(await TriageRetrain.sweep(app) == 0)
            // Then a report the model never saw goes to the health office, for reasons a coordinator can read
            let (s1, b1) = try await Self.suggest(app, token: koord, Self.heldOut)
            #expect(s1 == .ok, "\(b1)")
            let a = try Self.answer(b1)
            #expect(a.status == "ready")
            #expect(a.units.first?.unit == "\(Self.kota)/dinkes")
            #expect(a.units.count <= 5 && a.units.allSatisfy { $0.source == "learned" })
            #expect(a.model?.examples == 150 && a.model?.version == 1)
            let reasons = a.units.first?.reasons ?? []
            #expect(reasons.contains { $0.hasPrefix("mirip ") && $0.contains("laporan yang ditangani Dinas Kesehatan Kota Banjarmasin") }, "\(reasons)")
            let scores = a.units.compactMap(\.score)
            #expect(scores == scores.sorted(by: >) && scores.allSatisfy { (0...1).contains($0) })
            // And in English when asked
            let (_, en) = try await Self.suggest(app, token: koord, Self.heldOut, query: "?lang=en")
            #expect(try Self.answer(en).units.first?.reasons.contains { $0.hasPrefix("similar to ") && $0.contains("reports handled by Dinas Kesehatan") } == true, "\(en)")
            // A hundred more reports make the worker train again: version 2
            try await Self.importHistory(app, count: 100, first: 7_100_000)
            #expect(await TriageRetrain.sweep(app) >= 1)
            let (_, b2) = try await Self.suggest(app, token: koord, Self.heldOut)
            #expect(try Self.answer(b2).model?.version == 2 && Self.answer(b2).model?.examples == 250)
        }
    }

    @Test("scope: a kota's coordinator gets only its own units; another jurisdiction, an officer, bad bodies are refused and nothing changes")
    func scopeAndInput() async throws {
        try await TestHarness.withApp { app in
            try await Self.loadUnits(app)
            try await Self.importHistory(app, count: 150, first: 7_000_000)
            _ = try await TriageService.train(jurisdiction: Self.kota, by: "test", app: app)
            let koord = try await app.createOfficer("koord.bjm", .coordinator, Self.kota)
            let province = try await app.createOfficer("koord.prov", .coordinator, "63")
            let liaison = try await app.createOfficer("liaison.bjm", .liaison, "\(Self.kota)/dinkes")
            let sysadmin = try await app.createOfficer("admin.bjm", .sysadmin, Self.kota)

            let (ok, body) = try await Self.suggest(app, token: koord, ["title": "Jalan berlubang dan lampu lalu lintas mati",
                                                                        "body": "Aspal rusak, parkir liar, puskesmas", "jurisdiction": Self.kota])
            #expect(ok == .ok, "\(body)")
            let a = try Self.answer(body)
            #expect(!a.units.isEmpty && a.units.allSatisfy { $0.unit.hasPrefix("\(Self.kota)/") }, "\(a.units.map(\.unit))")
            #expect(try await Self.suggest(app, token: sysadmin, Self.heldOut).0 == .ok)
            // A unit that no longer takes complaints is not suggested, though the model learned it
            let traffic: [String: any Sendable] = ["title": "Lampu lalu lintas mati", "body": "parkir liar dan angkot ngetem di halte", "jurisdiction": Self.kota]
            #expect(try Self.answer(try await Self.suggest(app, token: koord, traffic).1).units.first?.unit == "\(Self.kota)/dishub")
            try await OrgAdmin.setUnitActive(app, actor: "test", id: "\(Self.kota)/dishub", active: false)
            app.reference.invalidate()
            let without = try Self.answer(try await Self.suggest(app, token: koord, traffic).1)
            #expect(!without.units.isEmpty && !without.units.contains { $0.unit == "\(Self.kota)/dishub" }, "\(without.units.map(\.unit))")

            // Refused: the province's coordinator for the kota, the kota's coordinator for the province, a liaison, nobody
            #expect(try await Self.suggest(app, token: province, Self.heldOut).0 == .forbidden)
            #expect(try await Self.suggest(app, token: koord, Self.heldOut.merging(["jurisdiction": "63"]) { $1 }).0 == .forbidden)
            #expect(try await Self.suggest(app, token: liaison, Self.heldOut).0 == .forbidden)
            #expect(try await Self.suggest(app, token: nil, Self.heldOut).0 == .unauthorized)

            // Bad bodies: 400 with a message naming the field, never a 500
            let versionsBefore = try await StoredTriageModel.query(on: app.db).count()
            for bad: [String: any Sendable] in [["title": "x"], ["title": "", "body": "  ", "jurisdiction": Self.kota],
                                                ["title": "x", "jurisdiction": "99.99"], ["title": 5, "jurisdiction": Self.kota],
                                                ["title": "x", "jurisdiction": Self.kota, "category": "no-such-category"],
                                                ["title": "x", "jurisdiction": Self.kota, "target_unit": "63/dinkes"],
                                                ["title": String(repeating: "a", count: 70_000), "jurisdiction": Self.kota]] {
                let (status, text) = try await Self.suggest(app, token: koord, bad)
                #expect(status == .badRequest, "\(bad.keys.sorted()): \(status) \(text)")
                #expect(text.contains("\"error\""), "\(text)")
            }
            var malformed: HTTPStatus = .ok
            try await app.testing().test(.POST, "/api/v1/triage/suggest", headers: ["content-type": "application/json", "authorization": "Bearer \(koord)"],
                                         body: ByteBuffer(string: "{\"title\": "), afterResponse: { malformed = $0.status })
            #expect(malformed == .badRequest)
            #expect(try await StoredTriageModel.query(on: app.db).count() == versionsBefore)
        }
    }

    @Test("too little history: the answer says so and falls back to today's rules (reporter's unit, the category's default unit)")
    func fallback() async throws {
        try await TestHarness.withApp { app in
            try await Self.loadUnits(app)
            let koord = try await app.createOfficer("koord.bjm", .coordinator, Self.kota)
            try await OrgAdmin.setDefaultUnit(app, actor: "test", category: "infrastruktur.jalan", jurisdiction: Self.kota, unit: "\(Self.kota)/pupr")
            app.reference.invalidate()
            // Given 40 reports, fewer than the 100 a model needs
            try await Self.importHistory(app, count: 40, first: 7_000_000)
            let trained = try await TriageService.train(jurisdiction: Self.kota, by: "test", app: app)
            #expect(trained.model.examples == 40 && trained.figures == nil)
            let (status, body) = try await Self.suggest(app, token: koord, Self.heldOut.merging(
                ["category": "infrastruktur.jalan", "target_unit": "\(Self.kota)/dishub"]) { $1 })
            #expect(status == .ok, "\(body)")
            let a = try Self.answer(body)
            #expect(a.status == "insufficient_history" && a.model?.examples == 40)
            #expect(a.units.map(\.unit) == ["\(Self.kota)/dishub", "\(Self.kota)/pupr"])
            #expect(a.units.allSatisfy { $0.source == "rules" && $0.score == nil })
            #expect(a.units.map(\.reasons) == [["dipilih pelapor"], ["unit bawaan kategori"]])
        }
    }

    @Test("two instances on one database use one stored model, and each picks up a newer one when it is stored")
    func twoInstances() async throws {
        try await TestHarness.withApp { first in
            try await Self.loadUnits(first)
            try await Self.importHistory(first, count: 150, first: 7_000_000)
            let koord = try await first.createOfficer("koord.bjm", .coordinator, Self.kota)
            let second = try await Application.make(.testing)
            do {
                try configure(second, settings: first.settings)
                second.logger.logLevel = .warning
                let tokenOnSecond = try await second.login("koord.bjm")
                // Given the first instance trained and stored the model
                let trained = try await TriageService.train(jurisdiction: Self.kota, by: "first", app: first)
                // When the second instance suggests, it reads that model from the database
                let (s, b) = try await Self.suggest(second, token: tokenOnSecond, Self.heldOut)
                #expect(s == .ok, "\(b)")
                let onSecond = try Self.answer(b)
                let (_, b1) = try await Self.suggest(first, token: koord, Self.heldOut)
                let onFirst = try Self.answer(b1)
                #expect(onSecond.model?.version == trained.version && onFirst.model?.version == trained.version)
                #expect(onSecond.units.map(\.unit) == onFirst.units.map(\.unit))
                #expect(onSecond.units.map(\.score) == onFirst.units.map(\.score))
                // Then the second retrains; the first sees version 2 on its next suggestion
                try await Self.importHistory(second, count: 30, first: 7_200_000)
                let again = try await TriageService.train(jurisdiction: Self.kota, by: "second", app: second)
                #expect(again.version == trained.version + 1)
                let (_, b2) = try await Self.suggest(first, token: koord, Self.heldOut)
                #expect(try Self.answer(b2).model?.version == again.version)
                #expect(try Self.answer(b2).model?.examples == 180)
            } catch {
                try? await second.asyncShutdown(); throw error
            }
            try await second.asyncShutdown()
        }
    }

    @Test("a damaged stored model is not used: the answer falls back to the rules, never a 500")
    func damagedModel() async throws {
        try await TestHarness.withApp { app in
            try await Self.loadUnits(app)
            let koord = try await app.createOfficer("koord.bjm", .coordinator, Self.kota)
            let row = StoredTriageModel()
            row.jurisdictionCode = Self.kota; row.version = 1; row.model = Data("not a model".utf8); row.trainedAt = app.clock.now
            row.examples = 500; row.unitExamples = 500; row.categoryExamples = 0; row.trainedBy = "test"
            try await row.create(on: app.writeDB)
            let (status, body) = try await Self.suggest(app, token: koord, Self.heldOut)
            #expect(status == .ok, "\(body)")
            #expect(try Self.answer(body).status == "no_model")
        }
    }

    @Test("the real Kabupaten Bandung export: imported, trained by the worker, a held-out road report goes to a unit from the import")
    func realSample() async throws {
        guard try RealLaporSampleTests.available() else { return }
        try await TestHarness.withApp { app in
            _ = try await RealLaporSampleTests().prepare(app)
            let report = try await RealLaporSampleTests().importSample(app, .file(RealLaporSampleTests.sample))
            #expect(report.created == 1_284)
            #expect(await TriageRetrain.sweep(app) >= 1)
            let koord = try await app.createOfficer("koord.banjar", .coordinator, RealLaporSampleTests.jurisdiction)
            let (status, body) = try await Self.suggest(app, token: koord, [
                "title": "Jalan rusak parah di Desa Bojongsoang",
                "body": "Jalan kabupaten di depan sekolah rusak dan berlubang besar, aspal mengelupas, mohon segera diperbaiki.",
                "jurisdiction": RealLaporSampleTests.jurisdiction])
            #expect(status == .ok, "\(body)")
            let a = try Self.answer(body)
            #expect(a.status == "ready" && a.model?.examples == 1_061)
            #expect(a.units.prefix(3).contains { $0.unit == "63.03/dinas-pekerjaan-umum-dan-tata-ruang" }, "\(a.units.map(\.unit))")
            // A report naming a kecamatan: the reason says so, in words people write
            let (_, named) = try await Self.suggest(app, token: koord, [
                "title": "Jalan rusak di Baleendah", "body": "Jalan desa Jelekong rusak parah dan berlubang, mohon diperbaiki",
                "jurisdiction": RealLaporSampleTests.jurisdiction])
            let reasons = try Self.answer(named).units.flatMap(\.reasons)
            #expect(reasons.contains("menyebut Kecamatan Baleendah"), "\(reasons)")
            // The figures stored with the model were measured on the newest fifth of this history
            let stored = try #require(try await TriageService.current(jurisdiction: RealLaporSampleTests.jurisdiction, app: app, on: app.db))
            let figures = try #require(stored.figures)
            #expect(figures.units.test > 150 && figures.units.top3 > 0.6, "\(figures.units)")
        }
    }

    @Test("one rule for a training example: TriageService.examples and the SQL count labelledCount agree on every case")
    func exampleRuleAndCountAgree() async throws {
        try await TestHarness.withApp { app in
            let reference = try await app.reference.get(on: app.db)
            let own = reference.tree.units.values.filter { $0.jurisdiction == "63" && $0.handlesComplaints }.map(\.id).sorted()
            try #require(own.count >= 2)
            let category = try #require(reference.categories.keys.sorted().first)
            var expected: [String: String?] = [:]
            // Every combination of the four columns the rule reads (unit, an import's target unit, LAPOR's agency,
            // category), for every kind of report.
            for type in ComplaintType.allCases {
                for mask in 0..<16 {
                    let tracking = try await app.submit().tracking_id
                    let c = try await app.complaint(tracking)
                    c.type = type.rawValue
                    c.unitID = mask & 1 != 0 ? own[0] : nil
                    c.targetUnitID = mask & 2 != 0 ? own[1] : nil
                    c.laporInstansi = mask & 4 != 0 ? "Dinas Contoh" : nil
                    c.categoryCode = mask & 8 != 0 ? category : nil
                    try await c.save(on: app.db)
                    // The rule in words (docs/triage.md): not whistleblowing, and it reached a unit — its own, or for an
                    // import the target unit — or it has a category.
                    let unit: String? = mask & 1 != 0 ? own[0] : (mask & 6 == 6 ? own[1] : nil)
                    if type != .wbs && (unit != nil || mask & 8 != 0) { expected[tracking] = unit }
                }
            }
            let examples = try await TriageService.examples(jurisdiction: "63", on: app.db)
            #expect(examples.count == expected.count)
            for e in examples { #expect(expected[e.id] == .some(e.unit), "\(e.id)") }
            #expect(try await TriageService.labelledCount(jurisdiction: "63", on: app.db) == expected.count)
            // Per kind but whistleblowing: the 8 with a category, and of the 8 without, those with a unit (4) or an
            // import's target (mask 6): 13.
            #expect(expected.count == 3 * 13)
        }
    }
}

/// A small deterministic generator, so the generated history is the same on every run.
struct TriageTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
