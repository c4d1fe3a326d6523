import Foundation
import Testing
@testable import AduanCore

// Reading SP4N-LAPOR!'s admin export (issue 15): the headings, values and dates as LAPOR writes them — every value
// below is copied from the real "Laporan Ringkas" export of Kabupaten Bandung or from the issue — and what each
// becomes in SPEC's terms (§3 flags, types and channels, §4 states and archive reasons). Expectations are written out
// from the SPEC and docs/interop.md's mapping table, never computed by the code under test.

private typealias F = Fixture

@Suite("SP4N-LAPOR! export: reading rows")
struct LaporExportTests {
    static let realHeader = ["Tracking ID", "Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Klasifikasi Laporan", "ID Kategori", "Kategori",
                             "Judul Laporan", "Isi Laporan Awal", "Isi Laporan Akhir", "Tipe Laporan (Anonim/Rahasia)", "Sumber Laporan",
                             "Instansi Induk", "Instansi Terdisposisi", "Status Laporan", "Alasan Tunda/Arsip", "Provinsi", "Kota/Kabupaten"]
    static let wib = TimeZone(identifier: "Asia/Jakarta")!
    static let now = F.at("2026-04-13 10:00")

    /// A row of the real layout with some cells set.
    func read(_ cells: [LaporExport.Column: String], privacyColumns: Bool = true, timeZone: TimeZone = wib) -> LaporExport.Outcome {
        LaporExport.read({ cells[$0] }, timeZone: timeZone, now: Self.now, privacyColumns: privacyColumns)
    }

    func reading(_ cells: [LaporExport.Column: String], privacyColumns: Bool = true) throws -> LaporExport.Reading {
        guard case .reading(let r) = read(cells, privacyColumns: privacyColumns) else { throw Failure.rejected }
        return r
    }

    enum Failure: Error { case rejected }

    static let base: [LaporExport.Column: String] = [
        .trackingID: "5216807", .date: "29 May 2023", .time: "04:05:34", .classification: "Pengaduan Berkadar Pengawasan",
        .title: "Bantuan Bencana", .body: "Warga ciputat jarang mendapatkan bantuan ketika banjir.", .privacy: "Anonim",
        .source: "Website", .agency: "Badan Penanggulangan Bencana Daerah Kab. Bandung", .status: "Ditutup oleh Sistem",
    ]

    func with(_ changes: [LaporExport.Column: String?]) -> [LaporExport.Column: String] {
        var cells = Self.base
        for (column, value) in changes { cells[column] = value }
        return cells
    }

    @Test("the real header maps every column; case, punctuation and order do not matter; the older layout maps too")
    func headers() {
        let real = LaporExport.mapHeader(Self.realHeader)
        #expect(real[.trackingID] == 0 && real[.date] == 1 && real[.time] == 2 && real[.classification] == 3 && real[.categoryID] == 4)
        #expect(real[.category] == 5 && real[.title] == 6 && real[.originalBody] == 7 && real[.body] == 8 && real[.privacy] == 9)
        #expect(real[.source] == 10 && real[.parentAgency] == 11 && real[.agency] == 12 && real[.status] == 13 && real[.reason] == 14)
        #expect(real[.province] == 15 && real[.regency] == 16)
        #expect(LaporExport.isHeader(real))

        let shuffled = LaporExport.mapHeader(["STATUS LAPORAN", "isi laporan akhir", "tracking id", " Tipe laporan - anonim / rahasia "])
        #expect(shuffled == [.status: 0, .body: 1, .trackingID: 2, .privacy: 3])
        #expect(LaporExport.isHeader(shuffled))

        let older = LaporExport.mapHeader(["No. Tiket", "Judul", "Isi Laporan", "Kategori", "Tanggal Laporan", "Status", "Instansi", "Anonim", "Rahasia"])
        #expect(older == [.trackingID: 0, .title: 1, .body: 2, .category: 3, .date: 4, .status: 5, .agency: 6, .anonymous: 7, .confidential: 8])

        // The title block's first row names "Judul Laporan" but no number: not a header.
        #expect(!LaporExport.isHeader(LaporExport.mapHeader(["Judul Laporan", "", "Laporan Ringkas"])))
        let block = LaporExport.titleBlock([["Judul Laporan", "", "Laporan Ringkas"], [], ["Nama Instansi", "", "Pemerintah Kabupaten Bandung"],
                                            ["Periode Masuk", "", "(2021-01-01) - (2023-12-31)"], ["Pengelola"]])
        #expect(LaporExport.instansiName(block) == "Pemerintah Kabupaten Bandung")
        #expect(block["Periode Masuk"] == "(2021-01-01) - (2023-12-31)")
        #expect(block["Pengelola"] == nil)
    }

    @Test("LAPOR's statuses: closed ones are selesai, archived ones diarsipkan, Konten Terblokir is spam, open ones wait at baru")
    func statuses() throws {
        let expected: [(String, ComplaintState, ComplaintState, ArchiveReason?)] = [
            ("Ditutup oleh Sistem", .selesai, .selesai, nil), ("Ditutup oleh Admin", .selesai, .selesai, nil),
            ("Ditutup oleh Pelapor", .selesai, .selesai, nil), ("Diarsipkan oleh Admin", .diarsipkan, .diarsipkan, nil),
            ("Diarsipkan oleh Sistem", .diarsipkan, .diarsipkan, nil), ("Diarsipkan oleh Pelapor", .diarsipkan, .diarsipkan, nil),
            ("Konten Terblokir", .diarsipkan, .diarsipkan, .spam), ("Menunggu Kelengkapan Informasi", .perlu_info, .baru, nil),
            ("Belum Terverifikasi", .baru, .baru, nil), ("Dalam Proses", .diproses, .baru, nil), ("Selesai", .selesai, .selesai, nil),
            ("ditutup OLEH   koordinator", .selesai, .selesai, nil),
        ]
        for (label, equivalent, imported, reason) in expected {
            let status = try #require(National.status(of: label), "\(label)")
            #expect(status.equivalent == equivalent && status.imported == imported && status.archiveReason == reason, "\(label)")
        }
        #expect(National.status(of: "Sedang Dipikirkan") == nil)
        #expect(National.status(of: "Konten Terblokir")?.isFinal == true)
        #expect(National.status(of: "Menunggu Kelengkapan Informasi")?.isFinal == false)
    }

    @Test("archive reasons: LAPOR's sentences read as SPEC's reasons; a sentence naming several criteria is lainnya")
    func archiveReasons() throws {
        let admin = "Laporan ini diarsipkan karena Mengandung SARA, Tidak Memiliki Bukti Dukung, Tidak Jelas, dan Tidak Relevan dengan Kinerja Pemerintah"
        #expect(LaporExport.archiveReason(admin) == (.lainnya, false))
        #expect(LaporExport.archiveReason("Laporan diarsipkan karena sudah mencapai batas kadaluarsa pengaduan.") == (.tidak_lengkap, false))
        #expect(LaporExport.archiveReason("Laporan ini diarsipkan sesuai dengan keinginan Pelapor") == (.lainnya, false))
        #expect(LaporExport.archiveReason("Duplikat dari laporan 5216807") == (.duplikat, false))
        #expect(LaporExport.archiveReason("Bukan kewenangan Pemerintah Daerah") == (.bukan_pelayanan_publik, false))
        #expect(LaporExport.archiveReason("Spam") == (.spam, false))
        #expect(LaporExport.archiveReason(nil) == (.lainnya, false))
        #expect(LaporExport.archiveReason("Alasan lain yang tak terduga") == (.lainnya, true))

        #expect(try reading(with([.status: "Diarsipkan oleh Admin", .reason: admin])).archiveReason == .lainnya)
        #expect(try reading(with([.status: "Diarsipkan oleh Sistem", .reason: "Laporan diarsipkan karena sudah mencapai batas kadaluarsa pengaduan."])).archiveReason == .tidak_lengkap)
        #expect(try reading(with([.status: "Konten Terblokir"])).archiveReason == .spam)
        #expect(try reading(with([.status: "Ditutup oleh Sistem", .reason: admin])).archiveReason == nil)
        let odd = try reading(with([.status: "Diarsipkan oleh Admin", .reason: "Alasan lain yang tak terduga"]))
        #expect(odd.archiveReason == .lainnya && odd.unknowns == [.init(.reason, "Alasan lain yang tak terduga")])
    }

    @Test("Klasifikasi is the type and berkadar pengawasan; Tipe Laporan the two flags; Sumber the channel")
    func values() throws {
        let kinds: [(String?, ComplaintType, Bool)] = [
            ("Pengaduan Berkadar Pengawasan", .pengaduan, true), ("Pengaduan Tidak Berkadar Pengawasan", .pengaduan, false),
            ("Permintaan Informasi", .permintaan_informasi, false), ("Aspirasi", .aspirasi, false), (nil, .pengaduan, false),
        ]
        for (text, type, supervision) in kinds {
            let r = try reading(with([.classification: text]))
            #expect(r.type == type && r.supervision == supervision && r.unknowns.isEmpty, "\(text ?? "empty")")
        }
        let flags: [(String?, Bool, Bool)] = [("Anonim", true, false), ("Rahasia", false, true), ("Anonim|Rahasia", true, true), (nil, false, false)]
        for (text, anonymous, confidential) in flags {
            let r = try reading(with([.privacy: text]))
            #expect(r.anonymous == anonymous && r.confidential == confidential && r.unknowns.isEmpty, "\(text ?? "empty")")
        }
        let sources: [(String, Channel, String?)] = [
            ("Website", .web, nil), ("Website - pemerintah-kabupaten-Bandung", .web, nil), ("Website - kementerian-sosial", .web, nil),
            ("Android", .api, nil), ("ios", .api, nil), ("SMS", .sms, nil), ("Email Instansi", .email, nil),
            ("Hotline Service", .officer, "phone"), ("Tatap Muka", .officer, "walk_in"), ("Instagram", .officer, "social_media"),
            ("Twitter", .officer, "social_media"), ("Surat", .officer, "letter"), ("WhatsApp", .whatsapp, nil),
        ]
        for (text, channel, medium) in sources {
            let r = try reading(with([.source: text]))
            #expect(r.channel == channel && r.medium == medium && r.source == text && r.unknowns.isEmpty, "\(text)")
        }
    }

    @Test("values the rules do not know never refuse a row: they are kept, and the row reads the cautious way")
    func unknownValues() throws {
        let r = try reading(with([.status: "Sedang Dipikirkan", .classification: "Keluhan Kucing", .privacy: "Semi-publik",
                                  .source: "Merpati Pos", .date: "kemarin sore"]))
        #expect(r.state == .baru)                              // a person looks at it
        #expect(r.type == .pengaduan)
        #expect(r.anonymous && r.confidential)                 // never public by mistake
        #expect(r.channel == .lapor_import)
        #expect(r.submittedAt == nil)                          // the import's time stands in
        #expect(Set(r.unknowns) == [.init(.status, "Sedang Dipikirkan"), .init(.classification, "Keluhan Kucing"),
                                    .init(.privacy, "Semi-publik"), .init(.source, "Merpati Pos"), .init(.date, "kemarin sore")])
        let note = LaporExport.note(r, unit: nil)
        #expect(note.contains("nilai yang tidak dikenali: ") && note.contains("Status Laporan \u{201C}Sedang Dipikirkan\u{201D}"))
        #expect(note.contains("instansi \u{201C}Badan Penanggulangan Bencana Daerah Kab. Bandung\u{201D} (tidak cocok dengan unit di sini)"))

        // The older layout's Ya/Tidak columns: unreadable means yes.
        let older: [LaporExport.Column: String] = [.trackingID: "4430005", .title: "Anonim salah isi", .body: "Isi.", .anonymous: "Mungkin", .confidential: "Tidak"]
        let o = try reading(older)
        #expect(o.anonymous && !o.confidential && o.unknowns == [.init(.anonymous, "Mungkin")])
        // A file without any flag column: every row confidential.
        #expect(try reading([.trackingID: "1", .body: "Isi laporan"], privacyColumns: false).confidential)
        // A date after the import: unknown, the import's time stands in.
        let future = try reading(with([.date: "1 Jan 2030"]))
        #expect(future.submittedAt == nil && future.unknowns == [.init(.date, "1 Jan 2030")])
    }

    @Test("a row is refused only without a LAPOR number or without any text; short texts and missing titles are fine")
    func rejections() throws {
        #expect(read(with([.trackingID: nil])) == .rejected(.noNumber, laporID: nil))
        #expect(read(with([.title: nil, .body: nil])) == .rejected(.noText, laporID: "5216807"))
        #expect(read(with([.trackingID: String(repeating: "9", count: 65)])) == .rejected(.numberTooLong, laporID: String(repeating: "9", count: 64)))

        let short = try reading(with([.body: "Jalan rusak"]))
        #expect(short.body == "Jalan rusak")
        let untitled = try reading(with([.title: nil, .body: "Bandungkab ,saya mau daftar bpjs,tapi katanya kk nya tidak aktif Ini no kartu kk saya mohon dibantu segera"]))
        #expect(untitled.title == "Bandungkab ,saya mau daftar bpjs,tapi katanya kk nya tidak aktif Ini no kartu…")
        #expect(untitled.titleFromBody)
        // Only the original text: it is the body.
        #expect(try reading(with([.body: nil, .originalBody: "Isi awal laporan"])).body == "Isi awal laporan")
        // Only a title: the title is the text too.
        #expect(try reading(with([.body: nil])).body == "Bantuan Bencana")
        // A number a spreadsheet turned into a figure.
        #expect(try reading(with([.trackingID: "5216807.0"])).laporID == "5216807")
    }

    @Test("dates and times as LAPOR and spreadsheets write them, in the jurisdiction's time zone")
    func dates() throws {
        func utc(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }
        // The real export: English month abbreviations, the time in its own column (WIB for Kabupaten Bandung).
        #expect(LaporDate.parse("29 May 2023", time: "04:05:34", timeZone: Self.wib) == utc("2023-05-28T21:05:34Z"))
        // The same wall clock in WITA is an hour earlier in UTC.
        #expect(LaporDate.parse("29 May 2023", time: "04:05:34", timeZone: WorkingCalendar.wita) == utc("2023-05-28T20:05:34Z"))
        // Indonesian month names and abbreviations, a weekday first, a dotted time.
        #expect(LaporDate.parse("29 Mei 2023", time: "04.05", timeZone: Self.wib) == utc("2023-05-28T21:05:00Z"))
        #expect(LaporDate.parse("3 Agu 2023", time: nil, timeZone: Self.wib) == utc("2023-08-02T17:00:00Z"))
        #expect(LaporDate.parse("Senin, 14 Okt 2024 10.22", timeZone: Self.wib) == utc("2024-10-14T03:22:00Z"))
        #expect(LaporDate.parse("1 Des 2022", time: "4:05:34 PM", timeZone: Self.wib) == utc("2022-12-01T09:05:34Z"))
        #expect(LaporDate.parse("17 Agustus 2021", timeZone: Self.wib) == utc("2021-08-16T17:00:00Z"))
        // ISO, day first, RFC 3339.
        #expect(LaporDate.parse("2025-03-14 10:22:05", timeZone: WorkingCalendar.wita) == utc("2025-03-14T02:22:05Z"))
        #expect(LaporDate.parse("14/03/2025", time: "08:00", timeZone: WorkingCalendar.wita) == utc("2025-03-14T00:00:00Z"))
        #expect(LaporDate.parse("2025-03-14T10:22:05+07:00", timeZone: WorkingCalendar.wita) == utc("2025-03-14T03:22:05Z"))
        // Excel date cells: 45075 is 2023-05-29; a time cell is a fraction of a day (0.25 = 06:00).
        #expect(LaporDate.parse("45075", time: "0.25", timeZone: Self.wib) == utc("2023-05-28T23:00:00Z"))
        #expect(LaporDate.parse("45075.5", timeZone: Self.wib) == utc("2023-05-29T05:00:00Z"))
        #expect(LaporDate.timeOfDay("04:05:34") == 14_734)
        #expect(LaporDate.timeOfDay("12:00 AM") == 0)
        for bad in ["kemarin sore", "31 Feb 2023", "29 Mayo 2023", "", "2023"] { #expect(LaporDate.parse(bad, timeZone: Self.wib) == nil, "\(bad)") }
        #expect(LaporDate.timeOfDay("25:00") == nil)
        // An unreadable time keeps the date, at midnight, and is reported.
        let r = try reading(with([.time: "jam empat"]))
        #expect(r.submittedAt == utc("2023-05-28T17:00:00Z") && r.unknowns == [.init(.time, "jam empat")])
    }

    @Test("an imported report: open ones at baru with the agency as target, finished ones keep it as their handling unit")
    func imports() throws {
        let context = F.context(at: Self.now)
        let closed = try reading(with([.agency: "Dinas Kesehatan"]))
        let done = try Lifecycle.importFromNational(closed, into: "63", unit: "63/dinkes", category: nil, trackingID: "7KQ2MX9PJ",
                                                    actorRole: "coordinator", note: "Diimpor.", context: context)
        #expect(done.record.state == .selesai && done.record.unit == "63/dinkes" && done.record.targetUnit == nil)
        #expect(done.record.dispositionCount == 0)   // no disposition was made here
        #expect(done.record.closedAt == Self.now && done.stages.isEmpty && done.notices.isEmpty)
        #expect(done.record.channel == .web && done.record.anonymous && !done.record.confidential && done.record.supervision)
        #expect(done.record.submittedAt == ISO8601DateFormatter().date(from: "2023-05-28T21:05:34Z"))
        #expect(done.record.laporID == "5216807")
        let event = try #require(done.events.first)
        #expect(done.events.count == 1 && event.action == .submit && event.toState == .selesai && event.unit == "63/dinkes")
        #expect(event.data["unit"] == "63/dinkes" && event.data["lapor_instansi"] == "Dinas Kesehatan" && event.data["lapor_status"] == "Ditutup oleh Sistem")
        #expect(event.data["lapor_source"] == "Website" && event.data["channel"] == "web" && event.data["supervision"] == "true")
        #expect(event.internalText == "Diimpor.")

        let waiting = try reading(with([.status: "Menunggu Kelengkapan Informasi", .privacy: "Rahasia", .source: "SMS"]))
        let open = try Lifecycle.importFromNational(waiting, into: "63", unit: "63/dinkes", category: nil, trackingID: "7KQ2MX9PJ",
                                                    actorRole: "coordinator", note: nil, context: context)
        #expect(open.record.state == .baru && open.record.targetUnit == "63/dinkes" && open.record.unit == nil)
        #expect(open.record.verificationDue != nil && open.stages.count == 1 && open.record.confidential && open.record.channel == .sms)
        #expect(open.events[0].data["target_unit"] == "63/dinkes")

        let blocked = try Lifecycle.importFromNational(try reading(with([.status: "Konten Terblokir", .agency: nil])), into: "63", unit: nil,
                                                       category: nil, trackingID: "7KQ2MX9PJ", actorRole: "system", note: nil, context: context)
        #expect(blocked.record.state == .diarsipkan && blocked.record.archiveReason == .spam && blocked.events[0].data["reason"] == "spam")

        // No date: the import's time. An undated row is still the complaint it was.
        let undated = try Lifecycle.importFromNational(try reading(with([.date: nil])), into: "63", unit: nil, category: nil,
                                                       trackingID: "7KQ2MX9PJ", actorRole: "system", note: nil, context: context)
        #expect(undated.record.submittedAt == Self.now)
        // A unit of another jurisdiction or an unknown one is refused (the shell maps names to this jurisdiction's units).
        #expect(F.refusal { try Lifecycle.importFromNational(closed, into: "63", unit: "63.71/dinkes", category: nil, trackingID: "7KQ2MX9PJ",
                                                             actorRole: "system", note: nil, context: context) } == .invalid("unit"))
    }

    @Test("a later mapping of the agency reaches imported complaints once, through an internal event; this installation's own dispositions stand")
    func laterMapping() throws {
        let context = F.context(at: Self.now)
        let closed = try Lifecycle.importFromNational(try reading(Self.base), into: "63", unit: nil, category: nil, trackingID: "7KQ2MX9PJ",
                                                      actorRole: "coordinator", note: nil, context: context).record
        let mapped = try #require(Lifecycle.nationalUnit(closed, unit: "63/dpupr", agency: "Dinas PU", actorRole: "coordinator", context: context))
        #expect(mapped.record.unit == "63/dpupr" && mapped.record.state == .selesai && mapped.record.eventCount == 2)
        #expect(mapped.events.count == 1 && mapped.events[0].action == .external_update && !mapped.events[0].isPublic)
        #expect(mapped.events[0].data == ["unit": "63/dpupr", "lapor_instansi": "Dinas PU"])
        #expect(mapped.notices.isEmpty && mapped.stages.isEmpty)
        // The same mapping again changes nothing.
        #expect(Lifecycle.nationalUnit(mapped.record, unit: "63/dpupr", agency: "Dinas PU", actorRole: "coordinator", context: context) == nil)

        let open = try Lifecycle.importFromNational(try reading(with([.status: "Belum Terverifikasi"])), into: "63", unit: nil, category: nil,
                                                    trackingID: "7KQ2MX9PJ", actorRole: "coordinator", note: nil, context: context).record
        let target = try #require(Lifecycle.nationalUnit(open, unit: "63/dinkes", agency: "Dinkes", actorRole: "coordinator", context: context))
        #expect(target.record.targetUnit == "63/dinkes" && target.record.unit == nil && target.record.verificationDue == open.verificationDue)
        // Dispositioned here since: the coordinator's decision stands.
        let verified = try Lifecycle.decide(.verify(Disposition(unit: "63/dinkes")), by: F.coordinator(of: open), on: open, context: context).record
        #expect(Lifecycle.nationalUnit(verified, unit: "63/dpupr", agency: "Dinas PU", actorRole: "coordinator", context: context) == nil)
        // Not imported, or a unit elsewhere: nothing.
        #expect(Lifecycle.nationalUnit(try F.record(in: .selesai), unit: "63/dpupr", agency: "Dinas PU", actorRole: "coordinator", context: context) == nil)
        #expect(Lifecycle.nationalUnit(closed, unit: "63.71/dinkes", agency: "Dinas PU", actorRole: "coordinator", context: context) == nil)
    }
}

@Suite("SP4N-LAPOR! agency names and the organisation CSV")
struct InstansiAndOrgImportTests {
    static let banjar = OrgTree(
        jurisdictions: [.init(code: "63", name: "Provinsi Kalimantan Selatan", parent: nil), .init(code: "63.03", name: "Kabupaten Banjar", parent: "63")],
        units: [.init(id: "63.03/diskominfo", jurisdiction: "63.03", name: "Dinas Komunikasi dan Informatika Kabupaten Banjar", kind: .coordinator, parent: nil),
                .init(id: "63.03/inspektorat", jurisdiction: "63.03", name: "Inspektorat Kabupaten Banjar", kind: .inspectorate, parent: nil),
                .init(id: "63.03/dinkes", jurisdiction: "63.03", name: "Dinas Kesehatan", kind: .agency, parent: nil),
                .init(id: "63.03/dinsos", jurisdiction: "63.03", name: "Dinas Sosial", kind: .agency, parent: nil, active: false),
                .init(id: "63/dinkes", jurisdiction: "63", name: "Dinas Kesehatan", kind: .agency, parent: nil)])

    @Test("names match a unit by their words, whatever the case, punctuation and the place written after them")
    func names() {
        let places = [["bandung"]]
        #expect(InstansiName.key("Dinas Kesehatan Kab. Bandung", places: places) == "dinas kesehatan")
        #expect(InstansiName.key("DINAS KESEHATAN KABUPATEN Bandung", places: places) == "dinas kesehatan")
        #expect(InstansiName.key("Dinas Pendidikan Bandung", places: places) == "dinas pendidikan")
        #expect(InstansiName.key("Kecamatan Pangalengan Kabupaten Bandung", places: places) == "kecamatan pangalengan")
        #expect(InstansiName.key("Pemerintah Kabupaten Bandung", places: places) == "pemerintah")
        #expect(InstansiName.key("Dinas Koperasi, Usaha Kecil & Menengah", places: places) == "dinas koperasi usaha kecil dan menengah")
        #expect(InstansiName.place("Pemerintah Kabupaten Bandung") == ["bandung"])
        #expect(InstansiName.place("Provinsi Kalimantan Selatan") == ["kalimantan", "selatan"])

        let matcher = InstansiMatcher(tree: Self.banjar, jurisdiction: "63.03", aliases: [("Dinkes Kab. Bandung", "63.03/dinkes"), ("Dinas Sosial Kab. Bandung", "63.03/dinsos")])
        #expect(matcher.unit(for: "Dinas Kesehatan Kabupaten Banjar") == "63.03/dinkes")
        #expect(matcher.unit(for: "dinas  kesehatan") == "63.03/dinkes")
        #expect(matcher.unit(for: "DINKES KAB BANDUNG") == "63.03/dinkes")          // the alias
        #expect(matcher.unit(for: "Inspektorat Kab. Banjar") == "63.03/inspektorat")
        #expect(matcher.unit(for: "Dinas Sosial Kab. Bandung") == nil)                // an inactive unit takes nothing
        #expect(matcher.unit(for: "Dinas Kesehatan Kab. Bandung") == nil)             // Bandung is not this jurisdiction's place
        #expect(matcher.unit(for: "") == nil)
    }

    @Test("an organisation CSV derived from an export's agency names: one unit per agency, other spellings as aliases")
    func derivation() {
        let names = ["Dinas Kesehatan Kab. Bandung": 34, "DINAS KESEHATAN KABUPATEN Bandung": 16, "Dinas Sosial Kabupaten Bandung": 110,
                     "Dinas Sosial Kab. Bandung": 2, "Inspektorat Kab. Bandung": 4, "Inspektorat Daerah Kab. Bandung": 3,
                     "Dinas Komunikasi dan Informatika, Statistik dan Persandian Kab. Bandung": 16, "Pemerintah Kabupaten Bandung": 40,
                     "Kecamatan Baleendah": 30, "Dinas Pekerjaan Umum dan Tata Ruang Kab. Bandung": 203]
        let (rows, skipped) = OrgDerivation.rows(names: names, jurisdiction: "63.03", tree: Self.banjar, exportInstansi: "Pemerintah Kabupaten Bandung")
        #expect(skipped == ["Pemerintah Kabupaten Bandung"])
        let bySlug = Dictionary(uniqueKeysWithValues: rows.map { ($0.slug, $0) })
        #expect(bySlug.keys.sorted() == ["dinas-pekerjaan-umum-dan-tata-ruang", "dinas-sosial", "dinkes", "diskominfo", "inspektorat", "kecamatan-baleendah"])
        // Dinas Kesehatan exists (by its name): the LAPOR spellings become its aliases.
        #expect(bySlug["dinkes"] == .init(jurisdiction: "63.03", slug: "dinkes", name: "Dinas Kesehatan", kind: .agency,
                                          aliases: ["Dinas Kesehatan Kab. Bandung", "DINAS KESEHATAN KABUPATEN Bandung"]))
        #expect(bySlug["inspektorat"]?.aliases == ["Inspektorat Kab. Bandung", "Inspektorat Daerah Kab. Bandung"])
        #expect(bySlug["inspektorat"]?.name == "Inspektorat Kabupaten Banjar")
        #expect(bySlug["diskominfo"]?.kind == .coordinator)
        #expect(bySlug["kecamatan-baleendah"] == .init(jurisdiction: "63.03", slug: "kecamatan-baleendah", name: "Kecamatan Baleendah", kind: .agency, aliases: []))
        #expect(bySlug["dinas-pekerjaan-umum-dan-tata-ruang"]?.name == "Dinas Pekerjaan Umum dan Tata Ruang Kab. Bandung")
        #expect(OrgDerivation.slug("dinas pengendalian penduduk keluarga berencana pemberdayaan perempuan dan perlindungan anak")
                == "dinas-pengendalian-penduduk-keluarga-berencana-pemberdayaan")
    }

    func table(_ text: String) -> [(line: Int, cells: [String])] {
        text.split(separator: "\n").enumerated().map { ($0.offset + 1, $0.element.split(separator: ",", omittingEmptySubsequences: false).map(String.init)) }
    }

    func plan(_ text: String, aliases: [(jurisdiction: String, alias: String, unit: String)] = []) -> Result<OrgImport.Plan, OrgImport.Refusal> {
        let (rows, errors) = OrgImport.rows(table(text))
        guard errors.isEmpty else { return .failure(OrgImport.Refusal(errors)) }
        return OrgImport.plan(rows, tree: Self.banjar, aliases: aliases)
    }

    @Test("a CSV creates units, renames and re-parents existing ones, adds aliases; the same state again changes nothing")
    func orgPlan() throws {
        let csv = """
        Jurisdiction,Slug,Name,Kind,Parent,Aliases
        63.03,dpupr,Dinas PUPR Kabupaten Banjar,agency,,Dinas PU dan Tata Ruang Kab. Bandung|Dinas PUPR Kab. Banjar
        63.03,upt-jalan,UPT Jalan,subunit,dpupr,
        63.03,dinkes,Dinas Kesehatan Kabupaten Banjar,dinas,,
        63.03,inspektorat,Inspektorat Kabupaten Banjar,inspectorate,,Inspektorat Daerah Kab. Bandung
        """
        let result = try plan(csv).get()
        #expect(result.creates.map(\.unit) == ["63.03/dpupr", "63.03/upt-jalan"])
        #expect(result.creates[1].parent == "63.03/dpupr" && result.creates[1].kind == .subunit)
        #expect(result.updates.map(\.unit) == ["63.03/dinkes"] && result.updates[0].oldName == "Dinas Kesehatan")
        #expect(result.aliases.map(\.alias) == ["Dinas PU dan Tata Ruang Kab. Bandung", "Dinas PUPR Kab. Banjar", "Inspektorat Daerah Kab. Bandung"])
        #expect(result.unchanged == 0)

        let same = try plan("jurisdiction,slug,name,kind,parent\n63.03,inspektorat,Inspektorat Kabupaten Banjar,inspectorate,",
                            aliases: []).get()
        #expect(same.isEmpty && same.unchanged == 1)
        let savedAlias = try plan("jurisdiction,slug,name,kind,parent,aliases\n63.03,dinkes,Dinas Kesehatan,agency,,Dinkes Kab. Bandung",
                                  aliases: [("63.03", "DINKES KAB. BANDUNG", "63.03/dinkes")]).get()
        #expect(savedAlias.isEmpty && savedAlias.unchanged == 1)
    }

    @Test("every wrong line is reported by its number and nothing is planned")
    func orgErrors() {
        let csv = """
        jurisdiction,slug,name,kind,parent,aliases
        99.99,dinas,Dinas Entah,agency,,
        63.03,Dinas Besar,Dinas Besar,agency,,
        63.03,dpupr,Dinas PUPR,agency,,
        63.03,dpupr,Dinas PUPR lagi,agency,,
        63.03,bappeda,Bappeda,kantor,,
        63.03,upt,UPT,subunit,tidak-ada,
        63.03,upt2,UPT Dua,subunit,,
        63.03,kominfo2,Diskominfo Dua,coordinator,,
        63.03,dinkes,Dinas Kesehatan,inspectorate,,
        63.03,dishub,Dinas Perhubungan,agency,dpupr,
        63.03,dlh,Dinas Lingkungan Hidup,agency,,Dinas Kesehatan
        63.03,a,A,subunit,b,
        63.03,b,B,subunit,a,
        63.03,nameless,,agency,,
        """
        guard case .failure(let refusal) = plan(csv) else { Issue.record("a bad file was planned"); return }
        let errors = refusal.errors
        let byLine = Dictionary(grouping: errors, by: \.line).mapValues { $0.map(\.problem) }
        #expect(byLine[2] == [.badJurisdiction])
        #expect(byLine[3] == [.badSlug])
        #expect(byLine[5] == [.duplicateSlug])
        #expect(byLine[6] == [.badKind])
        #expect(byLine[7] == [.unknownParent])
        #expect(byLine[8] == [.parentRequired])
        #expect(byLine[9] == [.kindTaken])
        #expect(byLine[10] == [.kindChanged])
        #expect(byLine[11] == [.parentNotAllowed])
        #expect(byLine[12] == [.aliasTaken])
        #expect(byLine[13] == [.unknownParent] && byLine[14] == [.unknownParent])
        #expect(byLine[15] == [.badName])
        #expect(byLine[4] == nil)
        #expect(errors.first { $0.line == 2 }?.value == "99.99")

        guard case .failure(let header) = plan("jurisdiction,slug,nama,kind\n63.03,x,X,agency") else { Issue.record("no header error"); return }
        #expect(header.errors == [.init(line: 1, problem: .header, value: "name")])
        let outside = OrgImport.plan(OrgImport.rows(table("jurisdiction,slug,name,kind\n63.03,x,X,agency")).0, tree: Self.banjar, aliases: [],
                                     covers: { $0 == "63" })
        #expect((try? outside.get()) == nil)
    }
}

@Suite("String.trimmingWhitespace: what Foundation's trimming gives")
struct TrimmingWhitespaceTests {
    @Test("every Unicode scalar Foundation trims is trimmed, nothing else; strings of mixed spaces agree with Foundation")
    func agreesWithFoundation() {
        // Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` is the reference: an implementation apart.
        var scalars: [Unicode.Scalar] = []
        for value in 0...0xFFFF { if let s = Unicode.Scalar(value) { scalars.append(s) } }
        for s in scalars {
            let text = "\(s)x\(s)"
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "U+\(String(s.value, radix: 16))")
        }
        let samples = ["", " ", "\t\n\r ", "\u{00A0}Jalan rusak\u{3000}", "  Pengaduan Berkadar Pengawasan \n", "é ", " 🙂 ", "a b",
                       "\u{2028}x\u{2029}", "\u{200B}zero-width space, as Foundation trims it\u{200B}", "\u{FEFF}BOM kept\u{FEFF}", "\u{85}x\u{1680}"]
        for text in samples {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
    }
}
